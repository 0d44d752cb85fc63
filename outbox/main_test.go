package outbox_test

import (
	"testing"

	"go.uber.org/goleak"
)

// gormPreparedStmtCache is the goroutine GORM (v1.31) starts for the
// statement cache of every PrepareStmt connection and never stops.
const gormPreparedStmtCache = "gorm.io/gorm/internal/lru.NewLRU[...].func1"

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("database/sql.(*DB).connectionOpener"),
		goleak.IgnoreTopFunction(gormPreparedStmtCache))
}
