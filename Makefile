# Two commands for a fresh clone: `make run` and `make test`. See README.md.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
DEV_ENV := DEBUG=1
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: run test install lint format check-deploy worker scheduler clean

$(STAMP): requirements.txt requirements-dev.txt
	@if ! [ -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		py=$$(scripts/find-python) || exit 1; \
		echo "Creating $(VENV) with $$py"; rm -rf $(VENV); "$$py" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)

## The site with demo content at http://127.0.0.1:8000, background jobs in-process (no Redis needed).
run: $(STAMP)
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

## The whole suite. Uses DATABASE_URL / REDIS_URL / CACHE_URL when set (CI), SQLite otherwise.
test: $(STAMP)
	@scripts/ensure-chromium
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Production-style process commands (need REDIS_URL).
worker: $(STAMP)
	$(PY) manage.py rundramatiq --processes 1 --threads 4

scheduler: $(STAMP)
	$(PY) manage.py crontab

clean:
	rm -rf $(VENV) var
