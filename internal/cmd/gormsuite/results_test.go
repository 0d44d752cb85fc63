package main

import (
	"slices"
	"strings"
	"testing"
)

// stream is a test2json stream as GORM's suite produces it.
func stream(lines ...string) *strings.Reader {
	return strings.NewReader(strings.Join(lines, "\n"))
}

func TestReadOutcome(t *testing.T) {
	o, err := readOutcome(stream(
		`not json: printed before the first test`,
		`{"Action":"run","Test":"TestA"}`,
		`{"Action":"pass","Test":"TestA/sub"}`,
		`{"Action":"pass","Test":"TestA"}`,
		`{"Action":"fail","Test":"TestB/sub"}`,
		`{"Action":"fail","Test":"TestB"}`,
		`{"Action":"skip","Test":"TestC"}`,
		`{"Action":"output","Output":"FAIL\n"}`,
		`{"Action":"fail"}`,
	))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ got, want []string }{
		"passed":    {o.Passed, []string{"TestA"}},
		"failed":    {o.Failed, []string{"TestB"}},
		"skipped":   {o.Skipped, []string{"TestC"}},
		"failed at": {o.FailedAt, []string{"TestB/sub", "TestB"}},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s: %q, want %q", name, c.got, c.want)
		}
	}
	if o.Crashed {
		t.Error("a run whose tests failed is reported as crashed")
	}
}

func TestReadOutcomeCrash(t *testing.T) {
	o, err := readOutcome(stream(
		`{"Action":"pass","Test":"TestA"}`,
		`{"Action":"output","Test":"TestB","Output":"panic: runtime error\n"}`,
		`{"Action":"fail"}`,
	))
	if err != nil {
		t.Fatal(err)
	}
	if !o.Crashed {
		t.Fatal("a package failing with no failed test is not reported as crashed")
	}
	if !slices.Contains(o.Tail, "panic: runtime error") {
		t.Fatalf("the crash's output is not kept: %q", o.Tail)
	}
}

func TestComparison(t *testing.T) {
	base := outcome{Passed: []string{"TestA", "TestB", "TestC"}, FailedAt: []string{"TestD"}}
	ext := outcome{Passed: []string{"TestA"}, FailedAt: []string{"TestD", "TestB/sub", "TestB"}}
	if got, want := ext.onlyIn(base), []string{"TestB", "TestB/sub"}; !slices.Equal(got, want) {
		t.Errorf("failing only through database.Open: %q, want %q", got, want)
	}
	if got, want := ext.lost(base), []string{"TestB", "TestC"}; !slices.Equal(got, want) {
		t.Errorf("passing only through gorm.Open: %q, want %q", got, want)
	}
	if got := base.onlyIn(ext); len(got) != 0 {
		t.Errorf("failing only through gorm.Open: %q, want none", got)
	}
}

func TestUntarRefusesEscapingNames(t *testing.T) {
	if _, err := untar(tarOf(t, "../evil.go", "package evil"), t.TempDir()); err == nil {
		t.Fatal("an entry leaving the directory was written")
	}
}

func TestRenameOpener(t *testing.T) {
	for name, c := range map[string]struct {
		src     string
		wantErr bool
	}{
		"once":  {src: "package tests_test\n\nfunc OpenTestConnection(cfg *gorm.Config) {}\n"},
		"never": {src: "package tests_test\n", wantErr: true},
		"twice": {src: "func OpenTestConnection(\nfunc OpenTestConnection(\n", wantErr: true},
	} {
		t.Run(name, func(t *testing.T) {
			file := writeTemp(t, c.src)
			err := renameOpener(file)
			if (err != nil) != c.wantErr {
				t.Fatalf("renameOpener: %v, want error %v", err, c.wantErr)
			}
			if got := readTemp(t, file); !c.wantErr && !strings.Contains(got, openerRename) {
				t.Fatalf("not renamed:\n%s", got)
			}
		})
	}
}

func TestWithDatabase(t *testing.T) {
	for dsn, want := range map[string]string{
		"host=h user=u dbname=test":         "host=h user=u dbname=test dbname=gs",
		"postgres://u:p@h:5432/test?x=1":    "postgres://u:p@h:5432/gs?x=1",
		"postgresql://u@h/test?sslmode=off": "postgresql://u@h/gs?sslmode=off",
	} {
		if got, err := withDatabase(dsn, "gs"); err != nil || got != want {
			t.Errorf("withDatabase(%q) = %q, %v; want %q", dsn, got, err, want)
		}
	}
}
