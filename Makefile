# gormext: make test runs everything CI runs. PostgreSQL tests run when
# GORMEXT_TEST_POSTGRES_DSN is set (see README).

GO          ?= go
PKGS        ?= ./...
TESTFLAGS   ?=
BENCHCOUNT  ?= 10
BENCH       ?= .
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
# MODULES: the adapter and example modules (own go.mod) that make test, vet and lint
# also cover, each with all its packages
MODULES     ?= otel outbox/amqp outbox/nats outbox/watermill examples/worker
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
	$(GO) test -run='^$$' -fuzz='^FuzzLoad$$' -fuzztime=$(FUZZTIME) ./migrate

## bench-migrate: migrate beside goose on one database (module bench/):
## status over 1,000 applied migrations, up of 100 small ones; SQLite, and
## PostgreSQL when GORMEXT_TEST_POSTGRES_DSN is set (docs/migrations.md)
.PHONY: bench-migrate
bench-migrate:
	cd bench && $(GO) run ./cmd/migratebench

## bench-relay: the outbox relay beside Watermill's SQL forwarder (module
## bench/): drain throughput to RabbitMQ with publisher confirms, and
## commit-to-confirm latency at RELAYRATE transactions/s for RELAYTIME
## (RELAYLATROUNDS times, in turns);
## PostgreSQL from GORMEXT_TEST_POSTGRES_DSN, RabbitMQ from
## GORMEXT_TEST_AMQP_URL (default amqp://guest:guest@127.0.0.1:5672/), NATS
## JetStream too when GORMEXT_TEST_NATS_URL is set (docs/benchmarks.md)
RELAYMESSAGES ?= 20000
RELAYROUNDS   ?= 3
RELAYRATE     ?= 1000
RELAYTIME     ?= 10s
RELAYLATROUNDS ?= 1
.PHONY: bench-relay
bench-relay:
	cd bench && $(GO) run ./cmd/relaybench -messages=$(RELAYMESSAGES) -rounds=$(RELAYROUNDS) -rate=$(RELAYRATE) -duration=$(RELAYTIME) -latency-rounds=$(RELAYLATROUNDS)

## bench-pagination: offset vs keyset page latency over 1,000,000 rows on
## PostgreSQL (GORMEXT_TEST_POSTGRES_DSN); its own schema, dropped after
BENCH_ROWS ?= 1000000
bench-pagination:
	$(GO) run ./internal/cmd/benchpages -rows=$(BENCH_ROWS)

## soak: the PostgreSQL fault loops of ./reliability (server restarts,
## backend kills) each running SOAKTIME instead of their short CI version,
## on private clusters, then the HTTP load test of ./examples/httpapi for
## SOAKTIME per database, then the outbox's fault ledger (PostgreSQL:
## relays stopped and killed) for SOAKTIME, then the outbox's fault suite
## with RabbitMQ (relay processes killed, private PostgreSQL restarted,
## broker connections cut; GORMEXT_TEST_AMQP_URL) for SOAKTIME; about
## 8 x SOAKTIME in all (docs/reliability.md, docs/messaging.md)
SOAKTIME ?= 2m
.PHONY: soak
soak:
	$(GO) test -race -count=1 -timeout 60m -v -run '^(TestServerRestart|TestTerminateBackends|TestKillsReachNoBadConnection)$$' ./reliability -soak=$(SOAKTIME)
	SOAKTIME=$(SOAKTIME) $(GO) test -race -count=1 -timeout 60m -v -run '^TestLoad$$' ./examples/httpapi
	GORMEXT_OUTBOX_SOAK=$(SOAKTIME) $(GO) test -race -count=1 -timeout 60m -v -run '^TestFaultLedger$$' ./outbox
	cd outbox/amqp && GORMEXT_OUTBOX_SOAK=$(SOAKTIME) $(GO) test -race -count=1 -timeout 60m -v -run '^TestOutboxFaults$$' ./...

## idle-relay: what an idle relay costs on PostgreSQL (CPU time, statements
## per minute with the default poll interval), IDLETIME per window, on a
## private cluster (docs/messaging.md#idle-relay)
IDLETIME ?= 1m
.PHONY: idle-relay
idle-relay:
	GORMEXT_OUTBOX_IDLE=$(IDLETIME) $(GO) test -count=1 -timeout 30m -v -run '^TestIdleRelayCost$$' ./outbox

## migrate-*: the migrations of examples/httpapi (examples/httpapi/migrations,
## one directory per database) through the example's own migration command,
## `go run . migrate ...` in examples/httpapi. The database is DATABASE_URL,
## by default the file examples/httpapi/dev.db. NAME names a new migration,
## TO a target version (up, down), ALLOW_DESTRUCTIVE=1 lets diff drop.
##   make migrate-diff NAME=add_tags    write the migration the models need
##   make migrate-new NAME=backfill     write an empty one
##   make migrate-up | migrate-down | migrate-history | migrate-status | migrate-check
MIGRATE_URL ?= $(if $(DATABASE_URL),$(DATABASE_URL),sqlite:///dev.db)
MIGRATE      = cd examples/httpapi && DATABASE_URL='$(MIGRATE_URL)' $(GO) run . migrate
.PHONY: migrate-new migrate-diff migrate-up migrate-down migrate-history migrate-status migrate-check migrate-name
migrate-name:
	@test -n "$(NAME)" || { echo "usage: make $(MAKECMDGOALS) NAME=what_it_does"; exit 2; }
migrate-new: migrate-name
	$(MIGRATE) new '$(NAME)'
migrate-diff: migrate-name
	$(MIGRATE) diff $(if $(ALLOW_DESTRUCTIVE),--allow-destructive) '$(NAME)'
migrate-up:
	$(MIGRATE) up $(if $(TO),--to $(TO))
migrate-down:
	$(MIGRATE) down $(if $(TO),--to $(TO))
migrate-history:
	$(MIGRATE) history
migrate-status:
	$(MIGRATE) status
migrate-check:
	$(MIGRATE) check
