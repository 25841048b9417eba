# Two commands set up everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
BOOTSTRAP_VERSION ?= 5.3.8

.PHONY: run worker test lint format install migrate seed vendor clean chromium bench bench-quick bench-growth bench-profile bench-deps bench-two-servers eval-marker train-marker

# The virtualenv is rebuilt whenever a requirements file changes.
$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=$${DEBUG:-1} $(PY) manage.py import_seeds seeds

## run: install, migrate, import seeds/, create demo accounts, serve on http://127.0.0.1:8000
## with a marking worker beside it (stopped with the server; the queue is in the database)
run: seed
	DEBUG=1 $(PY) manage.py create_demo_accounts
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	DEBUG=1 $(CELERY_WORKER) --concurrency 1 --loglevel WARNING & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# The marking queue's worker (Celery): docs/queue.md. CELERY_BROKER_URL picks the broker
# (default: the database); WORKER_CONCURRENCY processes each take one task at a time.
CELERY_WORKER = $(BIN)/celery -A revision_portal worker --without-gossip --without-mingle \
  --without-heartbeat
WORKER_CONCURRENCY ?= 1

## worker: run a marking worker in the foreground (start as many as you like, on any machine)
worker: migrate
	DEBUG=$${DEBUG:-1} $(CELERY_WORKER) --concurrency $(WORKER_CONCURRENCY) --loglevel INFO

# Browser tests use Debian's Chromium: Playwright's own browser download is not available.
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium:
	@test -x $(CHROMIUM) || { echo "Installing Chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-dejavu-core; }

## test: install, lint, and run the whole test suite (SQLite unless DATABASE_URL is set)
test: $(STAMP) chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

## bench: build a large dataset in PostgreSQL, serve it with gunicorn, load it with wrk;
## prints a table and writes bench/results.json (ARGS=--quick for the short CI run,
## ARGS="--scale 10" for ten times the data)
bench: bench-deps
	$(PY) bench/run.py $(ARGS)

## bench-quick: the same on a smaller dataset with short runs (under 3 minutes)
bench-quick: bench-deps
	$(PY) bench/run.py --quick $(ARGS)

## bench-growth: the growth curve: the full benchmark at 1× and at 10× the data (2,000 topics,
## 20,000 learners, 2,000,000 answers), one results.json, ratios side by side (docs/performance.md)
bench-growth: bench-deps
	$(PY) bench/run.py --compare 1,10 $(ARGS)

## bench-profile: where each slow page's and the importer's time goes (middleware, view,
## templates, database, top functions), in-process on a modest dataset (bench/profile_pages.py)
bench-profile: bench-deps
	$(PY) bench/profile_pages.py $(ARGS)

## bench-two-servers: two gunicorn instances, one database: a session moves between them
bench-two-servers: bench-deps
	$(PY) bench/two_servers.py $(ARGS)

# wrk (Debian) and a running local PostgreSQL cluster.
bench-deps: $(STAMP)
	@command -v wrk >/dev/null || { apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; }
	@pg_isready -h 127.0.0.1 -p 5432 -q || { pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; for i in $$(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done; }

## eval-marker: the marker against every development set: majority class, word-overlap
## baseline, the structural channel alone and the marker (accuracy, macro-F1, kappa, ms/answer)
eval-marker: $(STAMP)
	DEBUG=$${DEBUG:-1} $(PY) manage.py eval_marker

## train-marker: refit the marker's decision model (assessments/marking/data/decision.json)
train-marker: $(STAMP)
	DEBUG=$${DEBUG:-1} $(PY) manage.py train_marker

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## vendor: refresh vendored front-end assets from the npm registry
vendor:
	rm -rf .vendor-tmp && mkdir .vendor-tmp
	cd .vendor-tmp && npm pack --silent bootstrap@$(BOOTSTRAP_VERSION) && tar xzf bootstrap-$(BOOTSTRAP_VERSION).tgz
	cp .vendor-tmp/package/dist/css/bootstrap.min.css* .vendor-tmp/package/dist/js/bootstrap.bundle.min.js* .vendor-tmp/package/LICENSE static/vendor/bootstrap/
	rm -rf .vendor-tmp

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
