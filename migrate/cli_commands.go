package migrate

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
)

// command is one subcommand of the CLI.
type command struct {
	name, usage, summary, help string
	minArgs, maxArgs           int
	flags                      func(*flag.FlagSet, *cmdOptions)
	run                        func(context.Context, *cli, cmdOptions) error
}

// cmdOptions are the parsed flags and arguments of a subcommand.
type cmdOptions struct {
	to               string
	allowDestructive bool
	allowOutOfOrder  bool
	args             []string
}

func toFlag(help string) func(*flag.FlagSet, *cmdOptions) {
	return func(f *flag.FlagSet, o *cmdOptions) { f.StringVar(&o.to, "to", "", help) }
}

// upFlags are the flags of up and sql: --to and --allow-out-of-order.
func upFlags(f *flag.FlagSet, o *cmdOptions) {
	toFlag("stop after this version (default: all)")(f, o)
	f.BoolVar(&o.allowOutOfOrder, "allow-out-of-order", false, "apply pending migrations below the applied version (refused otherwise)")
}

var commands []*command

func init() {
	commands = []*command{
		{name: "new", usage: "NAME", summary: "write an empty migration file", minArgs: 1, maxArgs: 1, run: runNew,
			help: "Writes DIR/VERSION_NAME.sql with empty Up and Down sections. VERSION is the\ncurrent UTC time, YYYYMMDDHHMMSS (one more than the highest version when that\nis not higher)."},
		{name: "diff", usage: "NAME", summary: "write the migration that brings the database to the models", minArgs: 1, maxArgs: 1, run: runDiff,
			flags: func(f *flag.FlagSet, o *cmdOptions) {
				f.BoolVar(&o.allowDestructive, "allow-destructive", false, "write drops of tables and columns and type changes (refused otherwise)")
			},
			help: "Compares the schema the models need (created by AutoMigrate in a scratch\ndatabase) with the database's, and writes DIR/VERSION_NAME.sql: Up brings the\ndatabase to the models, Down back. The database must be up to date. Drops\nand type changes are refused without --allow-destructive. A rename cannot be\ntold from a drop and an add: edit the file when it is one."},
		{name: "up", summary: "apply pending migrations", run: runUp, flags: upFlags,
			help: "Applies every pending migration in version order, each in its own\ntransaction. Safe to run from many processes at once. A pending migration\nbelow the applied version (a branch merged late) is refused unless\n--allow-out-of-order is given."},
		{name: "down", summary: "revert the latest migration", run: runDown, flags: toFlag("revert every migration above this version (0 or base: all)"),
			help: "Reverts the latest applied migration, or with --to every one above VERSION,\nnewest first."},
		{name: "redo", summary: "revert the latest migration and apply it again", run: runRedo},
		{name: "status", summary: "list migrations with their state", run: runStatus},
		{name: "current", summary: "print the database's version", run: runCurrent},
		{name: "history", summary: "list migrations, newest first", run: runHistory},
		{name: "stamp", usage: "VERSION|head|base", summary: "mark migrations applied up to VERSION without running them", minArgs: 1, maxArgs: 1, run: runStamp,
			help: "Records VERSION as the database's version without running anything: every\nmigration up to it is marked applied, the records of those above are\nremoved. For a database whose schema was made otherwise (AutoMigrate)."},
		{name: "check", summary: "fail when the models and the migrated schema differ", run: runCheck,
			help: "Exits 3 and prints the SQL that would reconcile them when the models need a\nschema other than the database's, or when migrations are pending; 0 when\nthey agree."},
		{name: "sql", summary: "print the SQL up would run, without running it", run: runSQL, flags: upFlags},
		{name: "rehash", usage: "[VERSION...]", summary: "accept edits of applied migration files", maxArgs: 1 << 20, run: runRehash,
			help: "Stores the current checksum of the applied migrations whose files were\nedited on purpose: those given, or all."},
	}
}

func findCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// version reads a version argument: a number, head (the latest
// migration) or base (0, nothing applied).
func version(s string, src *Source) (int64, error) {
	switch strings.ToLower(s) {
	case "":
		return 0, nil
	case "head":
		return src.Head(), nil
	case "base":
		return 0, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%w: version %q: give a migration's number, head or base", errUsage, s)
	}
	return v, nil
}

// printResults prints what up, down or redo did and the version the
// database is at; "nothing to do" only when the command did not fail. It
// returns failed, else the error reading the version.
func (c *cli) printResults(ctx context.Context, res []Result, m *Migrator, failed error) error {
	for _, r := range res {
		verb := "applied "
		if r.Direction == "down" {
			verb = "reverted"
		}
		fmt.Fprintf(c.cfg.Stdout, "%s %s (%s)\n", verb, r.Migration.Source, r.Duration.Round(1e5))
	}
	cur, err := m.Current(ctx)
	if err != nil {
		return cmp.Or(failed, err)
	}
	if len(res) == 0 && failed == nil {
		fmt.Fprintln(c.cfg.Stdout, "nothing to do")
	}
	fmt.Fprintf(c.cfg.Stdout, "current version: %s\n", describeVersion(cur))
	return failed
}

func describeVersion(v int64) string {
	if v == 0 {
		return "none (base)"
	}
	return strconv.FormatInt(v, 10)
}
