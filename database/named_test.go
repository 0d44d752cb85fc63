package database_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/gormext/gormext/database"
)

func TestOpenAll(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	conns, err := database.OpenAll(context.Background(), map[string]database.Config{
		database.DefaultName: {URL: "sqlite::memory:"},
		"reports":            {URL: "sqlite::memory:", PoolSize: 1, MaxOverflow: -1},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := conns.Names(); !slices.Equal(got, []string{"default", "reports"}) {
		t.Fatalf("Names() = %q", got)
	}
	main, err := conns.Get(database.DefaultName)
	if err != nil {
		t.Fatal(err)
	}
	reports, err := conns.Get("reports")
	if err != nil {
		t.Fatal(err)
	}
	if err := main.Exec("CREATE TABLE only_main (x INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	if reports.Migrator().HasTable("only_main") {
		t.Fatal("the two connections share a database")
	}
	if s, _ := reports.DB(); s.Stats().MaxOpenConnections != 1 {
		t.Fatal("the reports pool did not get its own settings")
	}
	if all := conns.All(); len(all) != 2 || all["reports"] != reports {
		t.Fatalf("All() = %v", all)
	}
	_, err = conns.Get("nope")
	if !errors.Is(err, database.ErrUnknownConnection) || !strings.Contains(err.Error(), "default, reports") {
		t.Fatalf("Get(nope) = %v, want ErrUnknownConnection listing the names", err)
	}
	if err := conns.Close(); err != nil {
		t.Fatal(err)
	}
	if err := main.Exec("SELECT 1").Error; err == nil {
		t.Fatal("a pool is still open after Close")
	}
}

func TestOpenAllClosesWhatItOpenedWhenOneFails(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	_, err := database.OpenAll(context.Background(), map[string]database.Config{
		"a": {URL: "sqlite::memory:"},
		"b": {URL: "sqlite::memory:"},
		"c": {URL: "mysql://root:" + secret + "@localhost/db"},
	})
	if !errors.Is(err, database.ErrUnsupportedURL) || !strings.Contains(err.Error(), `connection "c"`) {
		t.Fatalf("err = %v, want ErrUnsupportedURL naming connection c", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("error reveals the password: %v", err)
	}
	// goleak fails the test if a and b were left open: each *sql.DB runs a
	// goroutine until closed.
}

func TestOpenAllRejectsBadNames(t *testing.T) {
	for _, name := range []string{"", " ", "a b", "x\x00", "tab\t"} {
		_, err := database.OpenAll(context.Background(), map[string]database.Config{name: {URL: "sqlite::memory:"}})
		if !errors.Is(err, database.ErrInvalidConfig) {
			t.Errorf("OpenAll(%q) = %v, want ErrInvalidConfig", name, err)
		}
	}
}
