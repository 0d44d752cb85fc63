# gormext: make test runs everything CI runs. PostgreSQL tests run when
# GORMEXT_TEST_POSTGRES_DSN is set (see README).

GO          ?= go
PKGS        ?= ./...
TESTFLAGS   ?=
BENCHCOUNT  ?= 10
BENCH       ?= .
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
# MODULES: the adapter modules (own go.mod) that make test, vet and lint
# also cover, each with all its packages
MODULES     ?= otel
BENCHSTAT   ?= $(GO) run golang.org/x/perf/cmd/benchstat@latest

.PHONY: test vet lint bench example

## test: go vet, then every test with the race detector, in the core
## module and in each of MODULES
test: vet
	@if [ -n "$$GORMEXT_TEST_POSTGRES_DSN" ]; then echo "databases: sqlite, postgres"; else echo "databases: sqlite (set GORMEXT_TEST_POSTGRES_DSN to add postgres)"; fi
	$(GO) test -race -count=1 -timeout 15m $(TESTFLAGS) $(PKGS)
	@for m in $(MODULES); do echo "module $$m:"; (cd $$m && $(GO) test -race -count=1 -timeout 5m $(TESTFLAGS) ./...) || exit 1; done

vet:
	$(GO) vet $(PKGS)
	@for m in $(MODULES); do (cd $$m && $(GO) vet ./...) || exit 1; done

## lint: go vet and staticcheck
lint: vet
	$(STATICCHECK) $(PKGS)
	@for m in $(MODULES); do (cd $$m && $(STATICCHECK) ./...) || exit 1; done

## bench: benchmarks beside their baselines, compared with benchstat, then
## the side-by-side table (bench-side)
bench:
	$(GO) test -run='^$$' -bench='$(BENCH)' -benchmem -count=$(BENCHCOUNT) $(PKGS) | tee bench.out
	$(BENCHSTAT) bench.out
	$(MAKE) bench-side

## bench-side: gormext beside plain GORM, database/sql and trm in one
## process (module bench/), a Markdown table per database; PostgreSQL when
## GORMEXT_TEST_POSTGRES_DSN is set. SIDESCALE multiplies the iterations.
SIDESCALE ?= 1
.PHONY: bench-side
bench-side:
	cd bench && $(GO) run ./cmd/sidebyside -scale=$(SIDESCALE)

## example: the guided tour on in-memory SQLite
example:
	$(GO) run ./examples/quickstart

## fuzz: each fuzz target for FUZZTIME (default 10s); seeds in testdata/fuzz
FUZZTIME ?= 10s
.PHONY: fuzz bench-pagination
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzDecode$$' -fuzztime=$(FUZZTIME) ./scopes
	$(GO) test -run='^$$' -fuzz='^FuzzSort$$' -fuzztime=$(FUZZTIME) ./scopes
	$(GO) test -run='^$$' -fuzz='^FuzzCursor$$' -fuzztime=$(FUZZTIME) ./pagination
	$(GO) test -run='^$$' -fuzz='^FuzzFastRulesAgreeWithTheValidator$$' -fuzztime=$(FUZZTIME) ./hooks
	$(GO) test -run='^$$' -fuzz='^FuzzParseURL$$' -fuzztime=$(FUZZTIME) ./database
	$(GO) test -run='^$$' -fuzz='^FuzzFromDTO$$' -fuzztime=$(FUZZTIME) ./entities
	$(GO) test -run='^$$' -fuzz='^FuzzRequestBody$$' -fuzztime=$(FUZZTIME) ./examples/httpapi
	$(GO) test -run='^$$' -fuzz='^FuzzPathID$$' -fuzztime=$(FUZZTIME) ./examples/httpapi

## bench-pagination: offset vs keyset page latency over 1,000,000 rows on
## PostgreSQL (GORMEXT_TEST_POSTGRES_DSN); its own schema, dropped after
BENCH_ROWS ?= 1000000
bench-pagination:
	$(GO) run ./internal/cmd/benchpages -rows=$(BENCH_ROWS)

## soak: the PostgreSQL fault loops of ./reliability (server restarts,
## backend kills) each running SOAKTIME instead of their short CI version,
## on private clusters, then the HTTP load test of ./examples/httpapi for
## SOAKTIME per database, then the outbox's fault ledger (PostgreSQL:
## relays stopped and killed) for SOAKTIME; about 7 x SOAKTIME in all
## (docs/reliability.md, docs/messaging.md)
SOAKTIME ?= 2m
.PHONY: soak
soak:
	$(GO) test -race -count=1 -timeout 60m -v -run '^(TestServerRestart|TestTerminateBackends|TestKillsReachNoBadConnection)$$' ./reliability -soak=$(SOAKTIME)
	SOAKTIME=$(SOAKTIME) $(GO) test -race -count=1 -timeout 60m -v -run '^TestLoad$$' ./examples/httpapi
	GORMEXT_OUTBOX_SOAK=$(SOAKTIME) $(GO) test -race -count=1 -timeout 60m -v -run '^TestFaultLedger$$' ./outbox
