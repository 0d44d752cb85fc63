package migrate

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"syscall"
	"time"

	"gorm.io/gorm"

	"github.com/gormext/gormext/database"
)

// Exit codes of Main and Run.
const (
	ExitOK    = 0 // the command did what it was asked
	ExitError = 1 // it failed (the message says why)
	ExitUsage = 2 // the command line was wrong
	ExitDrift = 3 // check: the models and the migrated schema differ
)

// Config is what a migration command needs. A service builds its own
// command from it, in its own module, because diff and check need the
// service's model types:
//
//	//go:embed migrations/*.sql
//	var migrations embed.FS
//
//	func main() {
//		migrate.Main(migrate.Config{FS: migrations, Models: []any{&User{}, &Order{}}})
//	}
type Config struct {
	// FS holds the migrations (an embed.FS), under FSDir; nil reads Dir
	// from the file system.
	FS fs.FS
	// FSDir is the directory within FS that holds the migrations (default
	// Dir): "." for a package that embeds its own directory
	// (//go:embed *.sql).
	FSDir string
	// Dir is the migrations directory (default "migrations"): within FS
	// for reading, and on disk, relative to the working directory, where
	// new and diff write files.
	Dir string
	// PerDialect keeps each database's migrations in a directory of its
	// own, Dir/sqlite and Dir/postgres, for a service that runs on both:
	// generated SQL is written for one database.
	PerDialect bool
	// Go are the Go migrations, beside the files.
	Go []GoMigration
	// Models are the GORM models diff and check compare the schema with.
	Models []any
	// URL names the database (see database.Open); empty reads
	// DATABASE_URL. The --url flag wins over both.
	URL string
	// Table is the version table (default DefaultTable).
	Table string
	// Exclude names tables diff and check leave out (DiffOptions.Exclude,
	// Atlas glob patterns such as "legacy_*"): those no model maps, made
	// by hand-written migrations, such as outbox.Schema's tables.
	Exclude []string
	// Database adjusts the database.Config before the database is opened.
	Database func(*database.Config)
	// Name is the program's name in help texts (default: the executable's).
	Name string
	// Args are the arguments (default os.Args[1:]); Stdout and Stderr the
	// outputs (default os.Stdout, os.Stderr). Main reads them; Run takes
	// its arguments directly.
	Args           []string
	Stdout, Stderr io.Writer
}

func (c Config) withDefaults() Config {
	if c.Dir == "" {
		c.Dir = "migrations"
	}
	if c.Table == "" {
		c.Table = DefaultTable
	}
	if c.Name == "" {
		c.Name = filepath.Base(os.Args[0])
	}
	if c.Stdout == nil {
		c.Stdout = os.Stdout
	}
	if c.Stderr == nil {
		c.Stderr = os.Stderr
	}
	return c
}

// Main runs the command line cfg.Args (default os.Args[1:]) and exits the
// process with its exit code. SIGINT and SIGTERM cancel the running
// command; a migration in flight is rolled back.
func Main(cfg Config) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	args := cfg.Args
	if args == nil {
		args = os.Args[1:]
	}
	code := Run(ctx, cfg, args)
	stop()
	os.Exit(code)
}

// Run runs one command line (without the program name) and returns its
// exit code: ExitOK, ExitError, ExitUsage or ExitDrift.
func Run(ctx context.Context, cfg Config, args []string) int {
	c := &cli{cfg: cfg.withDefaults()}
	defer c.close()
	return c.run(ctx, args)
}

// cli is one run of the command.
type cli struct {
	cfg Config
	url string
	db  *gorm.DB
}

func (c *cli) run(ctx context.Context, args []string) int {
	global := flag.NewFlagSet(c.cfg.Name, flag.ContinueOnError)
	global.SetOutput(io.Discard)
	global.StringVar(&c.url, "url", "", "database URL (default: Config.URL, then DATABASE_URL)")
	global.StringVar(&c.cfg.Dir, "dir", c.cfg.Dir, "migrations directory")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.usage(c.cfg.Stdout)
			return ExitOK
		}
		return c.usageError("%v", err)
	}
	rest := global.Args()
	if len(rest) == 0 {
		c.usage(c.cfg.Stderr)
		return ExitUsage
	}
	if rest[0] == "help" {
		return c.help(rest[1:])
	}
	cmd := findCommand(rest[0])
	if cmd == nil {
		return c.usageError("unknown command %q", rest[0])
	}
	return c.runCommand(ctx, cmd, rest[1:])
}

func (c *cli) runCommand(ctx context.Context, cmd *command, args []string) int {
	fset := flag.NewFlagSet(c.cfg.Name+" "+cmd.name, flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	var o cmdOptions
	if cmd.flags != nil {
		cmd.flags(fset, &o)
	}
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.commandHelp(c.cfg.Stdout, cmd, fset)
			return ExitOK
		}
		return c.usageError("%s: %v", cmd.name, err)
	}
	o.args = fset.Args()
	if len(o.args) < cmd.minArgs || len(o.args) > cmd.maxArgs {
		return c.usageError("%s: usage: %s %s %s", cmd.name, c.cfg.Name, cmd.name, cmd.usage)
	}
	if err := cmd.run(ctx, c, o); err != nil {
		fmt.Fprintf(c.cfg.Stderr, "%s %s: %v\n", c.cfg.Name, cmd.name, err)
		if errors.Is(err, ErrDrift) {
			return ExitDrift
		}
		if errors.Is(err, errUsage) {
			return ExitUsage
		}
		return ExitError
	}
	return ExitOK
}

var errUsage = errors.New("usage")

func (c *cli) usageError(format string, args ...any) int {
	fmt.Fprintf(c.cfg.Stderr, "%s: "+format+"\n", append([]any{c.cfg.Name}, args...)...)
	fmt.Fprintf(c.cfg.Stderr, "Run '%s help' for usage.\n", c.cfg.Name)
	return ExitUsage
}

// source loads the migrations: from FS when set, else from the directory
// on disk.
func (c *cli) source(ctx context.Context) (*Source, error) {
	sub, err := c.dialectDir(ctx)
	if err != nil {
		return nil, err
	}
	if c.cfg.FS != nil {
		return Load(c.cfg.FS, path.Join(cmp.Or(c.cfg.FSDir, filepath.ToSlash(c.cfg.Dir)), sub), c.cfg.Go...)
	}
	return LoadDir(filepath.Join(c.cfg.Dir, sub), c.cfg.Go...)
}

// dir is the migrations directory on disk: Dir, or with PerDialect
// Dir/<dialect>.
func (c *cli) dir(ctx context.Context) (string, error) {
	sub, err := c.dialectDir(ctx)
	return filepath.Join(c.cfg.Dir, sub), err
}

// dialectDir is "" or, with PerDialect, the database's dialect ("sqlite",
// "postgres"), for which it opens the database.
func (c *cli) dialectDir(ctx context.Context) (string, error) {
	if !c.cfg.PerDialect {
		return "", nil
	}
	db, err := c.open(ctx)
	if err != nil {
		return "", err
	}
	d, err := dialectOf(db)
	if err != nil {
		return "", err
	}
	return d.name(), nil
}

// open connects once, to --url, Config.URL or DATABASE_URL.
func (c *cli) open(ctx context.Context) (*gorm.DB, error) {
	if c.db != nil {
		return c.db, nil
	}
	// The pool settings come from the environment whichever way the URL
	// comes; the URL is required there only when none was given.
	given := cmp.Or(c.url, c.cfg.URL)
	envOpt := database.RequireURL()
	if given != "" {
		envOpt = database.WithEnvLogger(slog.New(slog.DiscardHandler)) // no fallback warning
	}
	dbc, err := database.FromEnv(envOpt)
	if errors.Is(err, database.ErrMissingURL) {
		return nil, fmt.Errorf("%w (or pass --url)", err)
	}
	if err != nil {
		return nil, err
	}
	dbc.URL = cmp.Or(given, dbc.URL)
	if c.cfg.Database != nil {
		c.cfg.Database(&dbc)
	}
	octx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if c.db, err = database.Open(octx, dbc); err != nil {
		return nil, err
	}
	return c.db, nil
}

func (c *cli) migrator(ctx context.Context, opts ...Option) (*Migrator, error) {
	return c.migratorOf(ctx, false, opts...)
}

// migratorOf is migrator; with noDirOK a missing directory is an empty
// one (diff writes the first migration of a project).
func (c *cli) migratorOf(ctx context.Context, noDirOK bool, opts ...Option) (*Migrator, error) {
	db, err := c.open(ctx)
	if err != nil {
		return nil, err
	}
	src, err := c.source(ctx)
	if noDirOK && errors.Is(err, ErrNoDirectory) {
		src, err = newSource(nil, nil)
	}
	if err != nil {
		return nil, err
	}
	return New(db, src, append([]Option{WithTable(c.cfg.Table)}, opts...)...)
}

func (c *cli) close() {
	if c.db != nil {
		_ = database.Close(c.db)
	}
}
