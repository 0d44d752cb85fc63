package scopes_test

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/gormext/gormext/scopes"
)

// Each rejected parameter is a *scopes.ParamError whose Message can be
// shown to the client as it is; Param and Rule let an API build its own.
func ExampleParamErrors() {
	query, _ := url.ParseQuery("views_gte=ten&page=0&title_icontains=a&title_icontains=b")
	err := scopes.Decode(query, &ArticleFilter{})
	var all scopes.ParamErrors
	if errors.As(err, &all) {
		for _, e := range all {
			fmt.Printf("%s %s: %s\n", e.Param, e.Rule, e.Message)
		}
	}
	// Output:
	// page gte: page: must be an integer ≥ 1 (got "0")
	// title_icontains repeated: title_icontains: must be given once (got 2 values)
	// views_gte integer: views_gte: must be an integer (got "ten")
}

func ExampleParamError() {
	query, _ := url.ParseQuery("views_gte=-1")
	err := scopes.Decode(query, &ArticleFilter{})
	var pe *scopes.ParamError
	if errors.As(err, &pe) {
		fmt.Println(pe.Param, pe.Rule)
		fmt.Println(pe.Message)
	}
	fmt.Println(errors.Is(err, scopes.ErrInvalidFilter))
	// Output:
	// views_gte gte
	// views_gte: must be an integer ≥ 0 (got "-1")
	// true
}
