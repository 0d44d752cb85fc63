package migrate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

func runUp(ctx context.Context, c *cli, o cmdOptions) error {
	m, err := c.migrator(ctx, o.upOptions()...)
	if err != nil {
		return err
	}
	to, err := upTarget(o.to, m.src)
	if err != nil {
		return err
	}
	res, err := m.UpTo(ctx, to)
	return c.printResults(ctx, res, m, err)
}

func runDown(ctx context.Context, c *cli, o cmdOptions) error {
	m, err := c.migrator(ctx)
	if err != nil {
		return err
	}
	var res []Result
	if o.to == "" {
		res, err = m.Down(ctx)
	} else {
		var to int64
		if to, err = version(o.to, m.src); err == nil {
			res, err = m.DownTo(ctx, to)
		}
	}
	return c.printResults(ctx, res, m, err)
}

func runRedo(ctx context.Context, c *cli, _ cmdOptions) error {
	m, err := c.migrator(ctx)
	if err != nil {
		return err
	}
	res, err := m.Redo(ctx)
	return c.printResults(ctx, res, m, err)
}

func runStamp(ctx context.Context, c *cli, o cmdOptions) error {
	m, err := c.migrator(ctx)
	if err != nil {
		return err
	}
	to, err := version(o.args[0], m.src)
	if err != nil {
		return err
	}
	if err := m.Stamp(ctx, to); err != nil {
		return err
	}
	fmt.Fprintf(c.cfg.Stdout, "stamped; current version: %s\n", describeVersion(to))
	return nil
}

func runStatus(ctx context.Context, c *cli, _ cmdOptions) error {
	m, err := c.migrator(ctx)
	if err != nil {
		return err
	}
	states, err := m.Status(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(c.cfg.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "VERSION\tNAME\tSTATE\tAPPLIED AT")
	for _, s := range states {
		at := ""
		if s.Applied {
			at = s.AppliedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", s.Version, s.Name, stateWord(s), at)
	}
	return w.Flush()
}

func stateWord(s State) string {
	switch {
	case s.Missing:
		return "applied, FILE MISSING"
	case s.Edited:
		return "applied, FILE EDITED"
	case s.Applied:
		return "applied"
	}
	return "pending"
}

func runCurrent(ctx context.Context, c *cli, _ cmdOptions) error {
	m, err := c.migrator(ctx)
	if err != nil {
		return err
	}
	cur, err := m.Current(ctx)
	if err != nil {
		return err
	}
	head := ""
	if cur != 0 && cur == m.src.Head() {
		head = " (head)"
	}
	fmt.Fprintf(c.cfg.Stdout, "%s%s\n", describeVersion(cur), head)
	return nil
}

// runHistory lists the migrations newest first, as alembic history does;
// it needs no database.
func runHistory(ctx context.Context, c *cli, _ cmdOptions) error {
	src, err := c.source(ctx)
	if err != nil {
		return err
	}
	ms := src.Migrations()
	slices.Reverse(ms)
	for i, mg := range ms {
		mark := ""
		if i == 0 {
			mark = " (head)"
		}
		kind := ""
		if mg.IsGo() {
			kind = " [go]"
		}
		fmt.Fprintf(c.cfg.Stdout, "%d %s%s%s\n", mg.Version, mg.Name, kind, mark)
	}
	return nil
}

func runSQL(ctx context.Context, c *cli, o cmdOptions) error {
	m, err := c.migrator(ctx, o.upOptions()...)
	if err != nil {
		return err
	}
	to, err := upTarget(o.to, m.src)
	if err != nil {
		return err
	}
	pending, err := m.Pending(ctx, to)
	if err != nil {
		return err
	}
	for _, mg := range pending {
		fmt.Fprintf(c.cfg.Stdout, "-- %s\n", mg.Source)
		if mg.IsGo() {
			fmt.Fprintln(c.cfg.Stdout, "-- (a Go migration: its statements are known only when it runs)")
		}
		for _, st := range mg.UpSQL {
			fmt.Fprintf(c.cfg.Stdout, "%s\n", terminated(st.SQL))
		}
		fmt.Fprintln(c.cfg.Stdout)
	}
	if len(pending) == 0 {
		fmt.Fprintln(c.cfg.Stdout, "-- nothing pending")
	}
	return nil
}

func terminated(sql string) string {
	if len(sql) > 0 && sql[len(sql)-1] == ';' {
		return sql
	}
	return sql + ";"
}

func runRehash(ctx context.Context, c *cli, o cmdOptions) error {
	m, err := c.migrator(ctx)
	if err != nil {
		return err
	}
	var vs []int64
	for _, a := range o.args {
		v, err := version(a, m.src)
		if err != nil {
			return err
		}
		vs = append(vs, v)
	}
	changed, err := m.Rehash(ctx, vs...)
	if err != nil {
		return err
	}
	for _, v := range changed {
		fmt.Fprintf(c.cfg.Stdout, "rehashed %s\n", m.src.Find(v).Source)
	}
	if len(changed) == 0 {
		fmt.Fprintln(c.cfg.Stdout, "every applied file matches its checksum")
	}
	return nil
}

// runNew writes an empty migration.
func runNew(ctx context.Context, c *cli, o cmdOptions) error {
	path, err := c.writeMigration(ctx, o.args[0], emptyMigration)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.cfg.Stdout, "created %s\n", path)
	return nil
}

const emptyMigration = UpMarker + "\n-- The change; end every statement with a semicolon.\n\n" +
	DownMarker + "\n-- What reverts it; left empty, down refuses to revert this migration.\n"

// writeMigration writes DIR/VERSION_NAME.sql on disk with the next version.
func (c *cli) writeMigration(ctx context.Context, name string, body string) (string, error) {
	name, err := cleanName(name)
	if err != nil {
		return "", err
	}
	dir, err := c.dir(ctx)
	if err != nil {
		return "", err
	}
	v, err := c.nextVersion(dir, time.Now())
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("migrate: creating %s: %w", dir, err)
	}
	path := filepath.Join(dir, strconv.FormatInt(v, 10)+"_"+name+".sql")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", fmt.Errorf("migrate: %w", err)
	}
	if _, err := f.WriteString(body); err != nil {
		f.Close()
		return "", fmt.Errorf("migrate: writing %s: %w", path, err)
	}
	return path, f.Close()
}

// nextVersion is now as YYYYMMDDHHMMSS (UTC), or one more than the highest
// version when that is not lower.
func (c *cli) nextVersion(dir string, now time.Time) (int64, error) {
	v, _ := strconv.ParseInt(now.UTC().Format("20060102150405"), 10, 64)
	highest, err := c.highestVersion(dir)
	if err != nil {
		return 0, err
	}
	return max(v, highest+1), nil
}

// highestVersion reads the versions of the file names in dir (not their
// contents, so that a broken file does not stop new) and of the Go
// migrations.
func (c *cli) highestVersion(dir string) (int64, error) {
	var highest int64
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		return 0, fmt.Errorf("migrate: reading %s: %w", dir, err)
	}
	for _, e := range entries {
		if v, _, err := parseName(e.Name()); err == nil {
			highest = max(highest, v)
		}
	}
	for _, g := range c.cfg.Go {
		highest = max(highest, g.Version)
	}
	return highest, nil
}

// upTarget reads up's --to: a version above 0, or head.
func upTarget(s string, src *Source) (int64, error) {
	to, err := version(s, src)
	if err == nil && s != "" && !strings.EqualFold(s, "head") && to == 0 {
		return 0, fmt.Errorf("%w: --to %s: up goes to a version above 0, or head", errUsage, s)
	}
	return to, err
}

// upOptions are the Migrator options of up and sql's flags.
func (o cmdOptions) upOptions() []Option {
	if o.allowOutOfOrder {
		return []Option{AllowOutOfOrder()}
	}
	return nil
}
