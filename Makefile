# The two commands: `make up` (install, build, chain, deploy, serve) and `make test` (install, build, all tests).
# Everything is installed into the project folder: .venv (Python), .node (Node 22), node_modules (npm).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

NODE_VERSION := 22.23.3
VENV := .venv
PY := $(VENV)/bin/python
NODE_HOME := .node
# Node 22 first on PATH for every recipe: Hardhat 3 refuses Node 20, and npm must run under 22 to fetch EDR.
export PATH := $(CURDIR)/$(NODE_HOME)/node_modules/.bin:$(CURDIR)/node_modules/.bin:$(PATH)
export npm_config_update_notifier := false
# The public development keys need this flag as well as chain id 31337 (docs/cli.md#development-keys): every target
# here serves, deploys to or tests the local chain.
export LEDGER_DEVELOPMENT ?= 1
HOST ?= 127.0.0.1
PORT ?= 5000
# The demo's licensing rule set: the 2012 limits without a minimum notice on chain, so that `make up` shows an
# application approved the day it starts (ledger/rules/licensing-demo.toml). Tests and real deployments use the
# default, licensing-2012; a deployment keeps the minimum it was made with.
DEMO_RULES := LICENSING_RULES=licensing-demo

.PHONY: help install build chain stop deploy demo-data up test test-unit test-contracts test-python test-postgres postgres postgres-stop \
	test-network lint bench bench-gas bench-import bench-identity bench-verify bench-credit bench-console bench-network browser wrk geth \
	network network-stop production production-stop production-packages test-production clean
DEMO := var/register/demo

help:
	@echo "make up         install what is missing, start the chain, deploy, serve http://$(HOST):$(PORT)"
	@echo "make test       install what is missing and run every test (contracts, Python unit/chain/browser tiers)"
	@echo "make test-unit  the chain-free Python tests only (seconds; builds nothing)"
	@echo "make test-postgres  the Python unit/chain/browser tiers again on PostgreSQL (make postgres starts it)"
	@echo "make postgres   start the project's PostgreSQL on 127.0.0.1:5433 (var/postgres)   make postgres-stop: stop it"
	@echo "make test-network  the ledger, API and proofs on geth (builds geth v1.13.15 once: make geth)"
	@echo "make network    start the development network (3 geth sealers + a reader, var/network)   make network-stop"
	@echo "make production  nginx on :8080 before two API instances, PostgreSQL, Redis, indexer, chain (var/production)"
	@echo "make production-stop  stop it   make test-production: its tier (tests/production)"
	@echo "make chain      start the local chain (anvil, state kept in var/chain)   make stop: stop it"
	@echo "make deploy     deploy the registry to the local chain (reused if already there)"
	@echo "make demo-data  import a slice of the synthetic register (20 firms and their planners)"
	@echo "make bench      bench-gas, -import, -identity, -verify, -credit and -console (var/bench/*.json)"
	@echo "make bench-gas  gas per act, written to var/bench/gas.json"
	@echo "make bench-import  the whole synthetic register imported and reindexed: var/bench/import.json"
	@echo "make bench-identity  presentations and sign-ins verified per second on one core: var/bench/identity.json"
	@echo "make bench-verify  the API under load (gunicorn, indexer running, wrk): var/bench/verify.json"
	@echo "make bench-credit  the whole register credit-graded (model, lists, API): var/bench/credit.json"
	@echo "make bench-console  the console's pages over the register and 1,000 applications: var/bench/console.json"
	@echo "make bench-network  import, acts and verify on the geth network behind nginx: var/bench/network.json"
	@echo "make lint       ruff (check and format) and mypy"

$(NODE_HOME)/node_modules/.bin/node:
	npm install --prefix $(NODE_HOME) --no-save --no-package-lock --no-audit --no-fund node@$(NODE_VERSION)
	@node --version

# `npm ci` installs exactly the committed lockfile (every platform's optional anvil and EDR builds included) and
# never rewrites it, so an install leaves the tree clean.
node_modules/.installed: package.json package-lock.json $(NODE_HOME)/node_modules/.bin/node
	npm ci --no-audit --no-fund
	@touch $@

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .   # the `ledger` command
	@touch $@

install: $(VENV)/.installed node_modules/.installed

build: install
	npx hardhat build --quiet

chain: install
	$(PY) -m scripts.chain start

stop:
	@if [ -x $(PY) ]; then $(PY) -m scripts.chain stop; else echo "chain not running"; fi

deploy: build chain
	$(DEMO_RULES) $(PY) -m ledger deploy

# The demo slice is generated once (dated the day of the first `make up`); the import is resumable, so running
# it again issues only what is missing.
$(DEMO)/profiles.csv:
	$(PY) -m scripts.generate_register --out $(DEMO) --slice 20

demo-data: deploy $(DEMO)/profiles.csv
	$(VENV)/bin/ledger import $(DEMO)/firms.csv $(DEMO)/planners.csv --no-progress
	$(VENV)/bin/ledger profiles $(DEMO)/profiles.csv
	$(PY) -m scripts.demo_credit
	$(DEMO_RULES) $(PY) -m scripts.demo_licensing

# The indexer follows the chain in the background while gunicorn serves; both stop together. gunicorn's settings
# (api/server.py): its own refusals (414, 431, a malformed request line …) are problems, with nginx's limits.
up: demo-data
	@echo "serving the API on http://$(HOST):$(PORT) (Ctrl-C stops the server and the indexer; 'make stop' stops the chain)"
	export $(DEMO_RULES); $(VENV)/bin/ledger index & indexer=$$!; trap 'kill $$indexer 2>/dev/null' EXIT; \
	$(VENV)/bin/gunicorn --config python:api.server --bind $(HOST):$(PORT) --workers 2 --access-logfile - \
	    'api:create_app()'

test: test-contracts test-python

# The chain-free tier: seconds, without building contracts or installing Chromium.
test-unit: $(VENV)/.installed
	$(PY) -m pytest tests/unit

test-contracts: build
	npx hardhat test solidity

# Every Python tier: unit, chain (a real anvil per session), browser (Debian's Chromium).
test-python: build browser
	$(PY) -m pytest tests/unit tests/chain tests/browser

# The same tiers with every read model and vault in a fresh database on the project's PostgreSQL (scripts/postgres.py
# installs, initialises and starts it if needed, and leaves it running for the next run; make postgres-stop stops it).
test-postgres: build browser postgres
	TEST_POSTGRES_URL=$$($(PY) -m scripts.postgres url) $(PY) -m pytest tests/unit tests/chain tests/browser

postgres: $(VENV)/.installed
	$(PY) -m scripts.postgres start

postgres-stop:
	@if [ -x $(PY) ]; then $(PY) -m scripts.postgres stop; else echo "postgres not running"; fi

# The network tier: the ledger, its API and its proofs on geth instead of anvil (tests/network).
test-network: build geth
	$(PY) -m pytest tests/network

# The development network of authorities (ledger/chain/network.py): three Clique sealers and a non-sealing node on
# loopback, a block every LEDGER_NETWORK_PERIOD (2) seconds; prints the LEDGER_RPC_URL that points everything at it.
network: install geth
	$(PY) -m scripts.network start

network-stop:
	@if [ -x $(PY) ]; then $(PY) -m scripts.network stop; else echo "network not running"; fi

# The production-shaped profile (docs/operations.md#production-profile): its own chain on :8546 (or LEDGER_RPC_URL),
# PostgreSQL, Redis, the indexer, two gunicorn instances and nginx in front on :8080, all under var/production.
production: build production-packages
	$(PY) -m scripts.production start

production-stop:
	@if [ -x $(PY) ]; then $(PY) -m scripts.production stop; else echo "production profile not running"; fi

# The same processes on free ports, started by the tier's fixtures: 50 stalled uploads, nginx's problems, shared
# rate-limit counts and sign-in nonces across the two instances.
test-production: build production-packages
	$(PY) -m pytest tests/production

# Debian's nginx and Redis for the production profile (PostgreSQL: scripts/postgres.py installs it if missing).
production-packages:
	@{ command -v nginx || test -x /usr/sbin/nginx; } >/dev/null && command -v redis-server >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx redis-server; }

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser of its own here).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

wrk:
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }

# geth v1.13.15, the last release that seals Clique blocks, built from the Go module proxy once into .tools/bin.
# It does not link with Go 1.23 or later (fjl/memsize), so the go command fetches Go 1.22 for the build itself.
GETH := .tools/bin/geth
geth: $(GETH)
$(GETH):
	GOBIN=$(CURDIR)/.tools/bin GOTOOLCHAIN=go1.22.12 go install github.com/ethereum/go-ethereum/cmd/geth@v1.13.15
	@$(GETH) version | head -2

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: bench-gas bench-import bench-identity bench-verify bench-credit bench-console

bench-gas: build
	$(PY) -m scripts.bench_gas

bench-import: build
	$(PY) -m scripts.bench_import

bench-identity: build
	$(PY) -m scripts.bench_identity

bench-verify: build wrk geth
	$(PY) -m scripts.bench_verify

# Not part of `make bench`: it needs geth and Debian's nginx, Redis and PostgreSQL, and takes minutes of blocks.
bench-network: build geth wrk production-packages
	$(PY) -m scripts.bench_network

bench-credit: build
	$(PY) -m scripts.bench_credit

bench-console: build
	$(PY) -m scripts.bench_console

clean:
	rm -rf artifacts cache types
