# The two set-up commands are `make run` and `make test`; both work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LANGS := es de ru
APT_PACKAGES := ffmpeg espeak-ng postgresql

.PHONY: run console test lint bench docs-images locales locales-extract locales-update system-deps venv clean

run: system-deps venv locales
	$(BIN)/sideglide run

console: system-deps venv locales
	$(BIN)/sideglide console

test: system-deps venv locales
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -n auto --dist loadgroup

lint: venv
	$(BIN)/ruff check bot flows tests bench
	$(BIN)/ruff format --check bot flows tests bench
	$(BIN)/mypy bot flows
	$(BIN)/lint-imports --no-cache

bench: system-deps venv locales
	$(BIN)/python bench/bench_bot.py
	$(BIN)/python bench/bench_voice.py
	$(BIN)/python bench/bench_reminders.py
	$(BIN)/python bench/bench_charts.py
	$(BIN)/python bench/bench_set.py
	$(BIN)/python bench/bench_animation.py
	$(BIN)/python bench/bench_storage.py
	$(BIN)/python bench/bench_webhook.py

# the README's stills of each exercise, drawn by the same code as the animations
docs-images: venv
	$(BIN)/python -c "from pathlib import Path; from bot.animation.prerender import write_stills; [print(p) for p in write_stills(Path('docs/exercises'))]"

# Debian packages the voice (ffmpeg, espeak-ng) and the PostgreSQL tests need; installed
# when we are root and they are missing.
system-deps:
	@missing=""; for c in ffmpeg ffprobe espeak-ng; do command -v $$c >/dev/null || missing=1; done; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing=1; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "installing $(APT_PACKAGES) with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_PACKAGES) >/dev/null; \
	  else \
	    echo "warning: some of $(APT_PACKAGES) are missing; voice notes and the PostgreSQL tests need them (run as root or install them)"; \
	  fi; \
	fi

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

# gettext catalogues: extract from the code, merge into each language, compile .mo
locales-extract: venv
	$(BIN)/pybabel -q extract --no-default-keywords -F babel.cfg -k N_ -k Nn_:1,2 -o locales/messages.pot --no-location --sort-output --project sideglide .

locales-update: locales-extract
	for l in $(LANGS); do \
	  if [ -f locales/$$l/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel -q update -i locales/messages.pot -d locales -l $$l --no-fuzzy-matching --ignore-obsolete; \
	  else \
	    $(BIN)/pybabel -q init -i locales/messages.pot -d locales -l $$l; \
	  fi; \
	done

locales: venv
	@if ls locales/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel -q compile -d locales --statistics 2>&1 | tail -n 3 || true; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
