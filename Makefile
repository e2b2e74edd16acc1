# Two commands matter: `make run` and `make test`. Both set everything up themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint emulator bench browser postgresql clean

# Every test whose outcome can depend on the database: the services and events suites,
# and the pages that write logins, logouts, throttles and the audit trail themselves.
# (The other page tests read through the services, which the first two cover.)
POSTGRESQL_TESTS := tests/services tests/events tests/ui/test_auth.py \
	tests/ui/test_login_admin.py tests/ui/test_login_cookies.py tests/ui/test_login_throttle.py \
	tests/ui/test_admin.py tests/ui/test_payment_activity.py tests/ui/test_page_reads.py

$(STAMP): requirements.txt
	@echo "== Setting up $(VENV): the Python packages of requirements.txt (first run: about a minute) =="
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "Python 3.11 or newer is needed: '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." \
	       "Install it, or run e.g. 'make run PYTHON=python3.12'."; exit 1; }
	@echo "== 1/3 creating $(VENV) with $$($(PYTHON) --version 2>&1) =="
	$(PYTHON) -m venv $(VENV)
	@echo "== 2/3 updating pip =="
	$(BIN)/pip install --quiet --upgrade pip
	@echo "== 3/3 installing $$(grep -c '^[A-Za-z]' requirements.txt) packages (and what they need): pip lists each =="
	$(BIN)/pip install --progress-bar off -r requirements.txt
	@echo "== $(VENV) is ready =="
	touch $(STAMP)

## run: start the dashboard at http://localhost:8501 (embedded Stripe emulator + demo data when no STRIPE_API_KEY)
run: $(STAMP)
	@echo "== Starting the dashboard at http://localhost:8501 (no STRIPE_API_KEY: the embedded emulator, demo data on its first start; log in as admin / admin-demo) =="
	$(BIN)/streamlit run app.py --server.port 8501

PG_LOG := postgresql-tests.log

## test: lint, type check, every test on SQLite and, beside it, the app-database tests on PostgreSQL
# The two pytest runs share no file, port or database, and each waits on its servers
# part of the time, so side by side they finish minutes sooner than one after the other;
# the PostgreSQL run's output is shown whole when both are done.
test: $(STAMP) browser postgresql
	$(BIN)/ruff check .
	$(BIN)/mypy
	@echo "== every test on SQLite; beside it the app-database tests again on PostgreSQL (a throwaway cluster, or TEST_DATABASE_URL), output in $(PG_LOG), shown at the end =="
	@$(BIN)/python -m pytest --app-database=postgresql -m "not browser" $(POSTGRESQL_TESTS) \
	  > $(PG_LOG) 2>&1 & postgresql=$$!; \
	$(BIN)/python -m pytest; sqlite=$$?; \
	wait $$postgresql; pg=$$?; \
	echo "== app-database tests on PostgreSQL =="; cat $(PG_LOG); \
	echo "== SQLite run: exit $$sqlite; PostgreSQL run: exit $$pg =="; \
	test $$sqlite -eq 0 && test $$pg -eq 0

## emulator: the Stripe emulator alone on port 12111, state kept in data/emulator.sqlite3
emulator: $(STAMP)
	$(BIN)/python -m stripe_emulator --host 127.0.0.1 --port 12111 --db data/emulator.sqlite3

## bench: throughput and latency figures (emulator, services, events, UI)
bench: $(STAMP)
	$(BIN)/python -m bench

## browser: Debian's Chromium for the real-browser tests (installed when missing and we are root)
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium missing: run 'sudo apt-get install chromium' (browser tests will be skipped)"; fi; }

## postgresql: Debian's PostgreSQL server programs for the tests (installed when missing and we are root)
postgresql:
	@test -n "$$TEST_DATABASE_URL" || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian's postgresql for the app-database tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else echo "PostgreSQL missing: run 'sudo apt-get install postgresql' or set TEST_DATABASE_URL"; exit 1; fi; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
