package database

import "errors"

var (
	// ErrUnsupportedURL is returned by Open for a URL whose scheme it does not
	// know or whose form it cannot read.
	ErrUnsupportedURL = errors.New("database: unsupported database URL")

	// ErrConnect is returned by Open when the server cannot be reached or
	// refuses the connection.
	ErrConnect = errors.New("database: cannot connect")
)
