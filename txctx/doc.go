// Package txctx carries the database session, and the transaction when one is
// open, in a context.Context.
//
// Bind the connection once, at the edge of the program; repositories take the
// session from the context:
//
//	ctx = txctx.WithDB(ctx, db)
//	...
//	err := txctx.DB(ctx).Create(&article).Error
package txctx
