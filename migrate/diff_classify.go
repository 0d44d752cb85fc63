package migrate

import (
	"fmt"

	"ariga.io/atlas/sql/schema"
)

// destructive describes each change that loses data.
func destructive(changes []schema.Change) []string {
	var out []string
	for _, c := range changes {
		switch c := c.(type) {
		case *schema.DropTable:
			out = append(out, fmt.Sprintf("drops table %s", c.T.Name))
		case *schema.ModifyTable:
			out = append(out, destructiveInTable(c)...)
		}
	}
	return out
}

func destructiveInTable(m *schema.ModifyTable) []string {
	var out []string
	for _, c := range m.Changes {
		switch c := c.(type) {
		case *schema.DropColumn:
			out = append(out, fmt.Sprintf("drops column %s.%s", m.T.Name, c.C.Name))
		case *schema.ModifyColumn:
			if c.Change.Is(schema.ChangeType) && !widens(c.From.Type.Type, c.To.Type.Type) {
				out = append(out, fmt.Sprintf("changes the type of %s.%s from %s to %s",
					m.T.Name, c.From.Name, typeName(c.From.Type), typeName(c.To.Type)))
			}
		}
	}
	return out
}

// widens reports whether every value of from fits in to: a longer string,
// a wider integer, a wider float. Any other change counts as narrowing.
func widens(from, to schema.Type) bool {
	switch f := from.(type) {
	case *schema.StringType:
		switch t := to.(type) {
		case *schema.StringType:
			return t.Size == 0 || (f.Size != 0 && t.Size >= f.Size)
		}
	case *schema.IntegerType:
		t, ok := to.(*schema.IntegerType)
		return ok && intRank(t.T) >= intRank(f.T) && intRank(f.T) > 0
	case *schema.FloatType:
		t, ok := to.(*schema.FloatType)
		return ok && t.Precision >= f.Precision
	}
	return false
}

func intRank(t string) int {
	switch t {
	case "smallint", "int2":
		return 1
	case "integer", "int", "int4":
		return 2
	case "bigint", "int8":
		return 3
	}
	return 0
}

func typeName(t *schema.ColumnType) string {
	if t.Raw != "" {
		return t.Raw
	}
	return fmt.Sprintf("%T", t.Type)
}

// renames describes each drop that comes with an add in its place: a
// table dropped while another is added, a column dropped from a table
// that gains another.
func renames(changes []schema.Change) []string {
	var dropped, added []string
	var out []string
	for _, c := range changes {
		switch c := c.(type) {
		case *schema.DropTable:
			dropped = append(dropped, c.T.Name)
		case *schema.AddTable:
			added = append(added, c.T.Name)
		case *schema.ModifyTable:
			out = append(out, columnRenames(c)...)
		}
	}
	for _, d := range dropped {
		for _, a := range added {
			out = append(out, fmt.Sprintf("table %s is dropped and %s added: if %s is %s renamed, write ALTER TABLE %s RENAME TO %s instead, or its rows are lost", d, a, a, d, d, a))
		}
	}
	return out
}

func columnRenames(m *schema.ModifyTable) []string {
	var dropped, added []string
	for _, c := range m.Changes {
		switch c := c.(type) {
		case *schema.DropColumn:
			dropped = append(dropped, c.C.Name)
		case *schema.AddColumn:
			added = append(added, c.C.Name)
		}
	}
	var out []string
	for _, d := range dropped {
		for _, a := range added {
			out = append(out, fmt.Sprintf("column %s.%s is dropped and %s added: if it is a rename, write ALTER TABLE %s RENAME COLUMN %s TO %s instead, or its values are lost", m.T.Name, d, a, m.T.Name, d, a))
		}
	}
	return out
}
