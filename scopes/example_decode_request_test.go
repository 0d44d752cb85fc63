package scopes_test

import (
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/gormext/gormext/scopes"
)

// DecodeRequest reads the raw query string, so a pair that r.URL.Query()
// would silently drop is refused instead; %3B is a literal semicolon.
func ExampleDecodeRequest() {
	for _, target := range []string{
		"/articles?title_icontains=go;DROP+TABLE+articles",
		"/articles?title_icontains=100%",
		"/articles?title_icontains=a%3Bb",
	} {
		var f ArticleFilter
		r := httptest.NewRequest("GET", target, nil)
		err := scopes.DecodeRequest(r, &f)
		var pe *scopes.ParamError
		if errors.As(err, &pe) {
			fmt.Println(pe.Rule, "-", pe.Message)
			continue
		}
		fmt.Printf("title_icontains = %q\n", *f.TitleIContains)
	}
	// Output:
	// semicolon - title_icontains: must not contain an unencoded ";" (write it as %3B; parameters are separated by &)
	// escape - title_icontains: must use valid percent-escapes (got "%"; write a literal % as %25)
	// title_icontains = "a;b"
}
