# The two set-up commands are `make run` and `make test`; both work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LANGS := es de ru
RUN_PACKAGES := ffmpeg espeak-ng
# the PostgreSQL tests start a real server: only `make test` needs it
TEST_PACKAGES := $(RUN_PACKAGES) postgresql
# two test workers more than the cores: a third of the suite's time is tests waiting on
# purpose (timeouts, leases, restarts), which the other workers fill (2 cores, 1,024
# tests: pytest 238 s with 4 workers, 259-288 s with 3)
WORKERS ?= $(shell $(PYTHON) -c "import os; print(len(os.sched_getaffinity(0)) + 2)")

.PHONY: run console test lint bench diagram docs-images render-venv locales locales-extract locales-update system-deps test-deps apt-install venv clean

run: system-deps venv locales
	$(BIN)/sideglide run

console: system-deps venv locales
	$(BIN)/sideglide console

test: test-deps venv render-venv locales
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -n $(WORKERS) --dist loadgroup

lint: venv
	$(BIN)/ruff check bot flows tests bench
	$(BIN)/ruff format --check bot flows tests bench
	$(BIN)/mypy bot flows tests bench
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
	$(BIN)/python bench/bench_stt.py

# the conversation diagram in the docs, from the state tables (a test says when it is stale)
diagram: venv
	$(BIN)/python -c "from flows.graph import diagram_page; open('docs/conversation-diagram.md', 'w').write(diagram_page())"

# the exercise pictures: render what bot/animation/media misses (after a change to the
# poses, the room or the renderer; a test says when), then the README's stills
docs-images: venv render-venv
	$(BIN)/python -c "from bot.animation.prerender import render_media; made, gone = render_media(); print(f'{len(made)} rendered, {len(gone)} stale removed')"
	$(BIN)/python -c "from pathlib import Path; from bot.animation.prerender import write_stills; [print(p) for p in write_stills(Path('docs/exercises'))]"

# Debian packages: the voice needs ffmpeg and espeak-ng (make run); the PostgreSQL tests
# need postgresql too (make test). Installed when we are root and they are missing.
system-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(RUN_PACKAGES)" NEED_PG=

test-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(TEST_PACKAGES)" NEED_PG=1

apt-install:
	@missing=""; for c in ffmpeg ffprobe espeak-ng; do command -v $$c >/dev/null || missing=1; done; \
	if [ -n "$(NEED_PG)" ]; then ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing=1; fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "installing $(PACKAGES) with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(PACKAGES) >/dev/null; \
	  else \
	    echo "warning: some of $(PACKAGES) are missing; voice notes (and the PostgreSQL tests) need them (run as root or install them)"; \
	  fi; \
	fi

venv: $(STAMP)

# Blender as a module (bpy, pinned by pyproject's `render` extra) in a venv of its own:
# it needs numpy < 2 and 900 MB; the bot runs without it (the pictures are shipped)
RENDER := $(VENV)/render
RENDER_STAMP := $(RENDER)/.installed-stamp
render-venv: $(RENDER_STAMP)

$(RENDER_STAMP): pyproject.toml
	test -x $(RENDER)/bin/python || $(PYTHON) -m venv $(RENDER)
	$(RENDER)/bin/python -m pip install -q $$($(PYTHON) -c 'import tomllib; print(" ".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["render"]))')
	touch $(RENDER_STAMP)

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
