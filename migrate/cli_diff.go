package migrate

import (
	"context"
	"errors"
	"fmt"
)

// runDiff writes the migration that brings the database to the models.
func runDiff(ctx context.Context, c *cli, o cmdOptions) error {
	m, err := c.migratorOf(ctx, true)
	if err != nil {
		return err
	}
	if err := m.CheckPending(ctx); err != nil {
		return fmt.Errorf("%v; diff compares the models with an up-to-date database", err) // exit 1, not check's 3
	}
	p, err := Diff(ctx, m.db, c.cfg.Models, DiffOptions{AllowDestructive: o.allowDestructive, Table: c.cfg.Table, Exclude: c.cfg.Exclude})
	if errors.Is(err, ErrDestructive) {
		return fmt.Errorf("%w; nothing written", err)
	}
	if err != nil {
		return err
	}
	if p.Empty() {
		fmt.Fprintln(c.cfg.Stdout, "no changes: the schema matches the models; nothing written")
		return nil
	}
	path, err := c.writeMigration(ctx, o.args[0], string(p.File()))
	if err != nil {
		return err
	}
	fmt.Fprintf(c.cfg.Stdout, "created %s (%d statements up, %d down)\n", path, len(p.Up), len(p.Down))
	for _, w := range append(p.Destructive, p.Renames...) {
		fmt.Fprintf(c.cfg.Stderr, "warning: %s\n", w)
	}
	return nil
}

// runCheck fails with ErrDrift when migrations are pending or the schema
// differs from the models.
func runCheck(ctx context.Context, c *cli, _ cmdOptions) error {
	m, err := c.migrator(ctx)
	if err != nil {
		return err
	}
	if err := m.CheckPending(ctx); err != nil {
		return err
	}
	if err := Check(ctx, m.db, c.cfg.Models, DiffOptions{Table: c.cfg.Table, Exclude: c.cfg.Exclude}); err != nil {
		return err
	}
	fmt.Fprintln(c.cfg.Stdout, "the schema matches the models")
	return nil
}
