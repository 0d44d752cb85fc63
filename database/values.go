package database

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrorWithoutValues returns err's message with the parts that drivers are
// known to fill with a statement's values withheld: PostgreSQL's data
// exceptions (SQLSTATE class 22, such as `invalid input syntax for type
// uuid: "..."`) and pgx's failures to encode an argument. It is the text
// the logger of [Open] writes without Config.LogValues, for whatever else
// reports errors (a tracer, an error tracker). Constraint violations need
// nothing withheld: a [ConstraintError]'s message never contains a value.
func ErrorWithoutValues(err error) string {
	if err == nil {
		return ""
	}
	return withholdValues(err, "")
}

// withholdValues is err's message with the value-quoting parts replaced by
// a note that ends with hint.
func withholdValues(err error, hint string) string {
	text := err.Error()
	var pg *pgconn.PgError
	if errors.As(err, &pg) && strings.HasPrefix(pg.Code, "22") && pg.Message != "" {
		text = strings.ReplaceAll(text, pg.Message, "invalid value (message withheld: it quotes the value"+hint+")")
	}
	if before, _, found := strings.Cut(text, "unable to encode "); found {
		text = before + "unable to encode a parameter (value withheld" + hint + ")"
	}
	return text
}
