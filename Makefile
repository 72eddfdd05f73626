# The commands people type. `make run` and `make test` are the README's set-up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint format e2e bench install migrate demo messages check-messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The English catalogue is committed compiled; a checkout may write django.po after django.mo, so
# compile again when the .mo is older (byte-identical when nothing changed: git stays clean). With
# no msgfmt (gettext) at hand, the .mo is only touched: tests/portal fails if the two disagree.
MO := locale/en/LC_MESSAGES/django.mo
$(MO): locale/en/LC_MESSAGES/django.po | $(STAMP)
	@if command -v msgfmt >/dev/null; then \
		$(BIN)/python manage.py compilemessages -l en --ignore=.venv --ignore=var >/dev/null; \
	else touch $@; fi

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py setup_periodic_tasks

run: demo $(MO)
	@$(BIN)/python manage.py demo_logins --url http://127.0.0.1:$(PORT)/
	WEB_PORT=$(PORT) $(BIN)/honcho start -f Procfile

test: install $(MO)
	$(BIN)/python -m pytest

e2e: install $(MO)
	$(BIN)/python -m pytest -m e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every benchmark against PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL), one table at the end.
# The interpreter's build counts for a fifth of the CPU: to measure with an optimised CPython (PGO
# and LTO, as production's Docker image), give its venv of its own, e.g.
# `make bench PYTHON=/usr/bin/python3 VENV=var/bench-venv` (bench/README.md).
bench: install
	$(BIN)/python bench/run_all.py

messages: install
	$(BIN)/python manage.py makemessages -l en --no-location --no-obsolete --ignore=.venv --ignore=var --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages -l en --ignore=.venv --ignore=var

# Fails when a French string in the code is missing from the English catalogue.
check-messages: install
	bin/check-messages

clean:
	rm -rf var/celery var/e2e
