package pagination

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// A keyset page makes its cursors from the sort values of its edge rows,
// read from their fields: a column the query's Select or Omit leaves out
// reads as zero, and a cursor made of it points elsewhere, so that pages
// repeat or skip rows. Such a page fails instead.

// requireSelected makes d's query fail when its Select or Omit drops a
// column of the model that keys read from each row. d is the instance a
// scope of the page was handed, after the query's own scopes. A Select the
// page cannot read, raw SQL such as "*" or "LOWER(b) AS b", is taken to
// keep every column.
func requireSelected(d *gorm.DB, keys []key) {
	if c := leftOut(d.Statement, keys); c != "" {
		_ = d.AddError(fmt.Errorf("pagination: the query's Select or Omit leaves out the sort column %q, which the page's cursors are read from: select it", c))
	}
}

// leftOut returns the first column of keys that stmt's Selects (when it
// has any, which GORM then writes instead of its Omits) or Omits leave
// out, or "".
func leftOut(stmt *gorm.Statement, keys []key) string {
	if len(stmt.Selects) == 0 && len(stmt.Omits) == 0 {
		return ""
	}
	selects, known := columnNames(stmt.Selects)
	omits, _ := columnNames(stmt.Omits)
	for _, k := range keys {
		if k.expr != nil || k.rel != nil { // read from the database, or from the join (see joins.Ensure)
			continue
		}
		names := func(n string) bool { return n == k.field.DBName || n == k.field.Name }
		switch {
		case len(stmt.Selects) > 0:
			if known && !slices.ContainsFunc(selects, names) {
				return k.field.DBName
			}
		case slices.ContainsFunc(omits, names):
			return k.field.DBName
		}
	}
	return ""
}

var plainName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// columnNames splits list, as Select and Omit take it ("id", "id, name"),
// into names; known is false when a part is no plain column or field
// name.
func columnNames(list []string) (names []string, known bool) {
	known = true
	for _, s := range list {
		for part := range strings.SplitSeq(s, ",") {
			part = strings.TrimSpace(part)
			known = known && plainName.MatchString(part)
			names = append(names, part)
		}
	}
	return names, known
}
