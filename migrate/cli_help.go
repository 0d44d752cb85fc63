package migrate

import (
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
)

func (c *cli) usage(w io.Writer) {
	fmt.Fprintf(w, "usage: %s [--url URL] [--dir DIR] COMMAND [flags] [args]\n\n", c.cfg.Name)
	fmt.Fprintln(w, "Versioned schema migrations: SQL files with Up and Down sections in DIR\n(default \"migrations\"), applied once each, safe from many replicas at once.")
	fmt.Fprintln(w, "\nCommands:")
	for _, cmd := range commands {
		fmt.Fprintf(w, "  %-26s %s\n", strings.TrimSpace(cmd.name+" "+cmd.usage), cmd.summary)
	}
	fmt.Fprintf(w, "\nGlobal flags:\n  --url URL   database URL (default: DATABASE_URL)\n  --dir DIR   migrations directory (default %q)\n", c.cfg.Dir)
	fmt.Fprintf(w, "\nRun '%s COMMAND --help' for a command's flags.\n", c.cfg.Name)
	fmt.Fprintln(w, "Exit codes: 0 done, 1 failed, 2 wrong usage, 3 check found differences.")
}

func (c *cli) help(args []string) int {
	if len(args) == 0 {
		c.usage(c.cfg.Stdout)
		return ExitOK
	}
	cmd := findCommand(args[0])
	if cmd == nil {
		return c.usageError("unknown command %q", args[0])
	}
	fset := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	if cmd.flags != nil {
		cmd.flags(fset, &cmdOptions{})
	}
	c.commandHelp(c.cfg.Stdout, cmd, fset)
	return ExitOK
}

func (c *cli) commandHelp(w io.Writer, cmd *command, fset *flag.FlagSet) {
	fmt.Fprintf(w, "usage: %s %s %s\n\n%s.\n", c.cfg.Name, cmd.name, flagsUsage(fset, cmd.usage), upperFirst(cmd.summary))
	if cmd.help != "" {
		fmt.Fprintf(w, "\n%s\n", cmd.help)
	}
	hasFlags := false
	fset.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintln(w, "\nFlags:")
		fset.SetOutput(w)
		fset.PrintDefaults()
	}
}

func flagsUsage(fset *flag.FlagSet, args string) string {
	var parts []string
	fset.VisitAll(func(f *flag.Flag) {
		if _, isBool := f.Value.(interface{ IsBoolFlag() bool }); isBool {
			parts = append(parts, "[--"+f.Name+"]")
		} else {
			parts = append(parts, "[--"+f.Name+" VERSION]")
		}
	})
	return strings.TrimSpace(strings.Join(append(parts, args), " "))
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

var nameChars = regexp.MustCompile(`[^A-Za-z0-9_\-]+`)

// cleanName makes a migration name of free text: runs of other characters
// become one underscore.
func cleanName(name string) (string, error) {
	n := strings.Trim(nameChars.ReplaceAllString(strings.TrimSpace(name), "_"), "_-")
	if n == "" {
		return "", fmt.Errorf("%w: migration name %q: use letters, digits, _ and -", errUsage, name)
	}
	return strings.ToLower(n), nil
}
