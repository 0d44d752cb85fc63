package database

// ParsedURL is what parseURL made of a URL, for the table tests.
type ParsedURL struct {
	Dialect string
	Memory  bool
	DSN     string
	// Query is the encoded driver options of a SQLite URL.
	Query string
}

// ParseURL exposes parseURL to the external tests.
func ParseURL(raw string) (ParsedURL, error) {
	t, err := parseURL(raw)
	return ParsedURL{Dialect: t.dialect.String(), Memory: t.memory, DSN: t.dsn, Query: t.query.Encode()}, err
}

// SQLiteDSN exposes the driver DSN built for a URL.
func SQLiteDSN(raw string) (string, error) {
	t, err := parseURL(raw)
	if err != nil {
		return "", err
	}
	return sqliteDSN(t, 5000), nil
}

// FromLookup exposes fromEnv with a lookup function of the test's.
var FromLookup = fromEnv
