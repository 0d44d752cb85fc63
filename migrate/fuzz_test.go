package migrate_test

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gormext/gormext/migrate"
)

// FuzzLoad: any file name and content either loads into a migration whose
// statements lie within the file, or fails with ErrInvalidMigration; it
// never panics.
func FuzzLoad(f *testing.F) {
	f.Add("1_a.sql", sqlFile("CREATE TABLE a (id INTEGER);", "DROP TABLE a;"))
	f.Add("20260126104500_add_users.sql", "-- migrate:up\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n-- migrate:down\n")
	f.Add("2_b.sql", "-- migrate:up\nINSERT INTO t VALUES ('a;b', \"c;d\"); /* ; */ SELECT 1;\n-- migrate:down\nSELECT 2;")
	f.Add("x.sql", "")
	f.Fuzz(func(t *testing.T, name, body string) {
		if !fs.ValidPath(name) || strings.ContainsAny(name, "/\\") || name == "." {
			return // not a file name
		}
		src, err := migrate.Load(fstest.MapFS{name: &fstest.MapFile{Data: []byte(body)}}, ".")
		if err != nil {
			if !errors.Is(err, migrate.ErrInvalidMigration) {
				t.Fatalf("Load(%q) = %v, not ErrInvalidMigration", name, err)
			}
			return
		}
		lines := strings.Count(body, "\n") + 1
		for _, m := range src.Migrations() {
			if m.Version <= 0 || len(m.UpSQL) == 0 {
				t.Fatalf("loaded %+v", m)
			}
			for _, st := range append(m.UpSQL, m.DownSQL...) {
				if st.Line < 1 || st.Line > lines || strings.TrimSpace(st.SQL) == "" {
					t.Fatalf("statement %q at line %d of %d", st.SQL, st.Line, lines)
				}
			}
		}
	})
}
