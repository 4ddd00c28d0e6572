# Socico: `make run` serves the app, `make test` runs every test. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
TAILWIND := static/src/node_modules/.bin/tailwindcss

export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test bench lint css install install-test browser redis axe clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Debug pages only for this machine: config.serve refuses them on any other address.
ifneq ($(filter $(HOST),127.0.0.1 localhost ::1 [::1]),)
run: export DJANGO_DEBUG ?= 1
endif
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py create_demo_room
	$(BIN)/python -m config.serve daphne $(HOST) $(PORT)

# Debian's chromium drives the browser tests; Playwright never downloads a browser here.
browser:
	@command -v chromium >/dev/null || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The scale-out tests start private redis-server processes (and stop them).
redis:
	@command -v redis-server >/dev/null || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

# axe-core checks the pages in the browser tests: it stays beside them and never ships.
AXE := rooms/tests/axe/node_modules/axe-core/axe.min.js
$(AXE): rooms/tests/axe/package.json
	@command -v npm >/dev/null || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	npm install --prefix rooms/tests/axe --no-audit --no-fund --no-package-lock
	touch $@

axe: $(AXE)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: export DJANGO_SECRET_KEY ?= insecure-test-only
test: install-test browser redis axe lint
	$(BIN)/pytest -m "not browser"
	$(BIN)/pytest -m browser

# Figures, not tests: see BENCHMARKS.md. BENCH_ARGS=--quick for a short run.
bench: install-test redis
	$(BIN)/pip install --quiet -r bench/requirements.txt
	$(BIN)/python -m bench $(BENCH_ARGS)

css:
	npm install --prefix static/src --no-audit --no-fund --no-package-lock
	$(TAILWIND) -i static/src/app.css -o static/css/app.css --minify

clean:
	rm -rf $(VENV) staticfiles test-db.sqlite3*
