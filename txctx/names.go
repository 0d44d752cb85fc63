package txctx

import (
	"context"
	"slices"

	"gorm.io/gorm"
)

// DefaultName is the name of the default connection among named ones, the
// same as database.DefaultName: On(DefaultName), NamedDB(ctx, DefaultName)
// and WithNamedDB(ctx, DefaultName, db) mean the connection of WithDB, as
// do On(""), NamedDB(ctx, "") and WithNamedDB(ctx, "", db).
const DefaultName = "default"

// canonical maps both names of the default connection to "".
func canonical(name string) string {
	if name == DefaultName {
		return ""
	}
	return name
}

func quoteName(name string) string {
	if name == "" {
		return `"default"`
	}
	return `"` + name + `"`
}

// WithConnections returns a copy of ctx with every connection of dbs bound
// under its name, outside any transaction: what a WithNamedDB per entry
// does, in one call. The name DefaultName (or "") binds the default
// connection, so the pools of database.OpenAll bind with
//
//	ctx = txctx.WithConnections(ctx, conns.All())
func WithConnections(ctx context.Context, dbs map[string]*gorm.DB) context.Context {
	for _, name := range sortedNames(dbs) {
		ctx = WithNamedDB(ctx, name, dbs[name])
	}
	return ctx
}

// sortedNames returns the keys of dbs in a fixed order.
func sortedNames(dbs map[string]*gorm.DB) []string {
	names := make([]string, 0, len(dbs))
	for name := range dbs {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
