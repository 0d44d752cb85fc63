package pgfault

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// EnvPostgresDSN names the variable that, when set, says PostgreSQL is
// expected on this machine: a missing binary then fails instead of skipping.
const EnvPostgresDSN = "GORMEXT_TEST_POSTGRES_DSN"

// AdminApplicationName is the application_name of the harness's own
// connections; Terminate never kills them.
const AdminApplicationName = "pgfault-admin"

// startTimeout bounds pg_ctl start, stop and restart.
const startTimeout = 30 * time.Second

// Server is a private PostgreSQL cluster started by [Start]. Stopping and
// starting are serialised; the methods taking a testing.TB report failures
// with Fatalf, so call them from the test's own goroutine.
type Server struct {
	bin  string // directory of initdb and pg_ctl
	home string // owned by the server's user: data, log, socket
	data string
	log  string
	port int
	as   []string // command prefix running as the server's user

	mu      sync.Mutex
	running bool
}

// Start initialises a cluster in tb's temporary directory, starts it on a
// free port of 127.0.0.1 and registers its stop at cleanup. It skips tb when
// PostgreSQL is not installed and GORMEXT_TEST_POSTGRES_DSN is unset, and
// fails it when the DSN is set.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin := findBinDir()
	if bin == "" {
		missing(tb)
	}
	s, err := newServer(tb.TempDir(), bin)
	if err != nil {
		tb.Fatalf("pgfault: %v", err)
	}
	if err := s.initdb(); err != nil {
		tb.Fatalf("pgfault: %v", err)
	}
	tb.Cleanup(func() { s.cleanup(tb) })
	if err := s.startOnFreePort(); err != nil {
		tb.Fatalf("pgfault: %v", err)
	}
	return s
}

func missing(tb testing.TB) {
	tb.Helper()
	fail, msg := missingVerdict(os.Getenv(EnvPostgresDSN))
	if fail {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}

// missingVerdict says what to do when the binaries are missing: fail when
// a PostgreSQL DSN is configured (CI), else skip; and why.
func missingVerdict(dsn string) (fail bool, msg string) {
	const what = "pgfault: initdb and pg_ctl not found (looked in $" + EnvBinDir + ", /usr/lib/postgresql/*/bin, pg_config --bindir)"
	if strings.TrimSpace(dsn) != "" {
		return true, what + ", but " + EnvPostgresDSN + " is set: install PostgreSQL's server binaries (apt-get install postgresql)"
	}
	return false, what + "; install PostgreSQL's server binaries to run the fault tests"
}

// newServer prepares the directories under tmp. As root, the server runs as
// user postgres in a directory it owns; tmp is opened for traversal.
func newServer(tmp, bin string) (*Server, error) {
	s := &Server{bin: bin, home: filepath.Join(tmp, "pg")}
	s.data, s.log = filepath.Join(s.home, "data"), filepath.Join(s.home, "server.log")
	if err := os.Mkdir(s.home, 0o700); err != nil {
		return nil, err
	}
	if os.Geteuid() != 0 {
		return s, nil
	}
	uid, gid, err := postgresUser()
	if err != nil {
		return nil, err
	}
	for _, dir := range []string{filepath.Dir(tmp), tmp} {
		if err := os.Chmod(dir, 0o711); err != nil {
			return nil, err
		}
	}
	if err := os.Chown(s.home, uid, gid); err != nil {
		return nil, err
	}
	s.as = []string{"runuser", "-u", "postgres", "--"}
	return s, nil
}

func postgresUser() (uid, gid int, err error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return 0, 0, fmt.Errorf("running as root, PostgreSQL needs a user postgres to run as: %w", err)
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	return uid, gid, nil
}

func (s *Server) initdb() error {
	_, err := s.run("initdb", "-D", s.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions")
	return err
}

// startOnFreePort picks a free port and starts the server, trying another
// port when one was taken in between.
func (s *Server) startOnFreePort() error {
	var err error
	for range 3 {
		if s.port, err = freePort(); err != nil {
			return err
		}
		if err = s.start(); err == nil {
			return nil
		}
	}
	return err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// options are the server settings: this port and socket directory only,
// and no fsync (the data of a test cluster need not survive a power cut;
// a server crash or restart is still survived: the WAL is written).
func (s *Server) options() string {
	return fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100", s.port, s.home)
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.run("pg_ctl", "start", "-w", "-t", seconds(startTimeout), "-D", s.data, "-l", s.log, "-o", s.options())
	s.running = err == nil
	return err
}

func (s *Server) stop(mode string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running {
		return nil
	}
	_, err := s.run("pg_ctl", "stop", "-w", "-t", seconds(startTimeout), "-m", mode, "-D", s.data)
	if err == nil {
		s.running = false
	}
	return err
}

func seconds(d time.Duration) string { return strconv.Itoa(int(d / time.Second)) }

// run runs one of the server binaries as the server's user; its error
// carries the command's output and the end of the server log.
func (s *Server) run(name string, args ...string) (string, error) {
	argv := append(append(append([]string(nil), s.as...), filepath.Join(s.bin, name)), args...)
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout+10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = s.home
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w\n%s%s", name, strings.Join(args, " "), err, out, s.logTail())
	}
	return string(out), nil
}

func (s *Server) logTail() string {
	b, err := os.ReadFile(s.log)
	if err != nil || len(b) == 0 {
		return ""
	}
	const max = 2000
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return "server log (end):\n" + string(b)
}

func (s *Server) cleanup(tb testing.TB) {
	tb.Helper()
	if err := s.stop("immediate"); err != nil {
		tb.Errorf("pgfault: stopping the server: %v", err)
	}
}

// Port returns the TCP port the server listens on (127.0.0.1).
func (s *Server) Port() int { return s.port }

// DSN returns a connection string for database postgres as user postgres,
// with application_name set to app so that [Server.Terminate] can find the
// connections. app must be a plain word (letters, digits, '-', '_').
func (s *Server) DSN(app string) string {
	return fmt.Sprintf("host=127.0.0.1 port=%d user=postgres dbname=postgres sslmode=disable application_name=%s connect_timeout=5", s.port, app)
}

// Stop stops the server with pg_ctl stop -m mode ("smart", "fast" or
// "immediate"). Fast disconnects every client and shuts down cleanly;
// immediate kills the server processes, as a crash would (recovery from
// the WAL runs at the next start).
func (s *Server) Stop(tb testing.TB, mode string) {
	tb.Helper()
	if err := s.stop(mode); err != nil {
		tb.Fatalf("pgfault: %v", err)
	}
}

// Resume starts the stopped server again on the same port.
func (s *Server) Resume(tb testing.TB) {
	tb.Helper()
	if err := s.start(); err != nil {
		tb.Fatalf("pgfault: %v", err)
	}
}

// Restart stops the server with mode, waits down (the time during which
// clients find no server), and starts it again.
func (s *Server) Restart(tb testing.TB, mode string, down time.Duration) {
	tb.Helper()
	s.Stop(tb, mode)
	time.Sleep(down)
	s.Resume(tb)
}

// Exec runs one admin statement on a connection of its own and returns the
// rows it affected.
func (s *Server) Exec(tb testing.TB, query string, args ...any) int64 {
	tb.Helper()
	n, err := s.exec(query, args...)
	if err != nil {
		tb.Fatalf("pgfault: %s: %v", query, err)
	}
	return n
}

func (s *Server) exec(query string, args ...any) (int64, error) {
	db, err := s.admin()
	if err != nil {
		return 0, err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := db.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Query runs one admin query and scans each row with scan.
func (s *Server) Query(tb testing.TB, scan func(*sql.Rows) error, query string, args ...any) {
	tb.Helper()
	if err := s.query(scan, query, args...); err != nil {
		tb.Fatalf("pgfault: %s: %v", query, err)
	}
}

func (s *Server) query(scan func(*sql.Rows) error, query string, args ...any) error {
	db, err := s.admin()
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *Server) admin() (*sql.DB, error) {
	db, err := sql.Open("pgx", s.DSN(AdminApplicationName))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// Terminate kills, with pg_terminate_backend, every backend whose
// application_name is app, waits (up to 5 s) until each has exited, and
// returns how many it killed.
func (s *Server) Terminate(tb testing.TB, app string) int {
	tb.Helper()
	return s.terminate(tb, "pg_terminate_backend(pid, 5000)", "application_name = $1", app)
}

// TerminateWhere kills every client backend of pg_stat_activity matching
// the SQL condition where (with args), other than the harness's own, and
// returns how many it signalled. It does not wait for them to exit: kills
// land wherever the backends happen to be.
func (s *Server) TerminateWhere(tb testing.TB, where string, args ...any) int {
	tb.Helper()
	return s.terminate(tb, "pg_terminate_backend(pid)", where, args...)
}

func (s *Server) terminate(tb testing.TB, call, where string, args ...any) int {
	tb.Helper()
	n := 0
	q := "SELECT " + call + " FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND application_name <> '" + AdminApplicationName + "' AND (" + where + ")"
	s.Query(tb, func(r *sql.Rows) error {
		var ok bool
		if err := r.Scan(&ok); err != nil {
			return err
		}
		if ok {
			n++
		}
		return nil
	}, q, args...)
	return n
}
