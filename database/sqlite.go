package database

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"

	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
)

// memoryDatabases numbers the in-memory databases of this process, so that
// each Open of sqlite::memory: gets a database of its own.
var memoryDatabases atomic.Uint64

// sqliteDSN builds the go-sqlite3 DSN for a target. Options given in the URL
// win over the defaults set here.
//
// Every SQLite database gets foreign keys on and a busy timeout. A file gets
// WAL and immediate transactions (BEGIN IMMEDIATE takes the write lock at
// once, so two writers queue on the busy timeout instead of one failing with
// a snapshot conflict mid-transaction). An in-memory database uses the memdb
// VFS under a process-unique name: one database shared by every connection of
// the pool and by no other pool. Its transactions are deferred, so an
// independent transaction can still write while an outer one has not yet
// touched the database.
func sqliteDSN(t target, busyMillis int64) string {
	q := url.Values{}
	for k, v := range t.query {
		q[k] = v
	}
	setDefault(q, "_foreign_keys", "1")
	setDefault(q, "_busy_timeout", fmt.Sprint(busyMillis))
	if t.memory {
		q.Set("vfs", "memdb")
		setDefault(q, "_txlock", "deferred")
		name := fmt.Sprintf("/gormext-%d-%d", os.Getpid(), memoryDatabases.Add(1))
		return "file:" + name + "?" + q.Encode()
	}
	setDefault(q, "_journal_mode", "WAL")
	setDefault(q, "_synchronous", "NORMAL")
	setDefault(q, "_txlock", "immediate")
	return "file:" + (&url.URL{Path: t.dsn}).EscapedPath() + "?" + q.Encode()
}

func setDefault(q url.Values, key, value string) {
	if _, ok := q[key]; !ok {
		q.Set(key, value)
	}
}

func openSQLite(t target, cfg Config) (*sql.DB, func(gorm.ConnPool) gorm.Dialector, error) {
	db := openDB(dsnConnector{dsn: sqliteDSN(t, cfg.BusyTimeout.Milliseconds()), drv: &sqlite3.SQLiteDriver{}})
	dial := func(pool gorm.ConnPool) gorm.Dialector {
		return sqlite.New(sqlite.Config{Conn: pool})
	}
	return db, dial, nil
}
