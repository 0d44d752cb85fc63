package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gormext/gormext/database"
)

// Example serves the API on an in-memory SQLite database and sends it a few
// requests, the way its tests do.
func Example() {
	ctx := context.Background()
	db, err := database.Open(ctx, database.Config{URL: "sqlite::memory:", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer database.Close(db)
	if err := Migrate(db); err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(NewServer(db, Config{Logger: slog.New(slog.DiscardHandler)}))
	defer srv.Close()

	send := func(method, path, body string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 400 {
			fmt.Printf("%s %s: %d %s", method, path, res.StatusCode, data)
			return
		}
		fmt.Printf("%s %s: %d\n", method, path, res.StatusCode)
	}
	send("POST", "/authors", `{"name": "Ada", "email": "ada@example.com"}`)
	send("POST", "/authors", `{"name": "Ada again", "email": "ada@example.com"}`)
	send("POST", "/authors", `{"name": "", "email": "nobody"}`)
	send("GET", "/articles?page_size=500", "")
	send("GET", "/articles?title_icontains=go&sort=-created_at", "")
	// Output:
	// POST /authors: 201
	// POST /authors: 409 {"error":{"status":409,"code":"conflict","message":"email: the value is already taken","fields":[{"field":"email","rule":"unique"}]}}
	// POST /authors: 422 {"error":{"status":422,"code":"validation_failed","message":"some fields are invalid: see fields","fields":[{"field":"name","rule":"required"},{"field":"email","rule":"email"}]}}
	// GET /articles?page_size=500: 400 {"error":{"status":400,"code":"invalid_parameter","message":"pagination: invalid page: page_size 500: must be between 1 and 100"}}
	// GET /articles?title_icontains=go&sort=-created_at: 200
}
