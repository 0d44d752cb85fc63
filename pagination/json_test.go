package pagination_test

import (
	"encoding/json"
	"testing"

	"github.com/gormext/gormext/pagination"
)

func TestJSONNames(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{pagination.Paginated[int]{Items: []int{}, Total: 7, Page: 2, PageSize: 3, TotalPages: 3},
			`{"items":[],"total":7,"page":2,"page_size":3,"total_pages":3}`},
		{pagination.CursorPage[int]{Items: []int{1}, NextCursor: "n", HasNext: true},
			`{"items":[1],"next_cursor":"n","has_next":true,"has_prev":false}`},
		{pagination.PaginatedFilter{Page: 1, PageSize: 20}, `{"page":1,"page_size":20}`},
		{pagination.CursorFilter{After: "a", Limit: 5}, `{"after":"a","limit":5}`},
	}
	for _, c := range cases {
		got, err := json.Marshal(c.v)
		if err != nil || string(got) != c.want {
			t.Errorf("json of %T: %s, %v; want %s", c.v, got, err, c.want)
		}
	}
}
