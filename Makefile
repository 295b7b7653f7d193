# Two commands for a fresh machine: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
WORKSPACE ?= $(or $(CS_ANALYTICS_DB),data/workspace.duckdb)

.PHONY: run test demo bench screenshots browser java clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	@test -f "$(WORKSPACE)" || $(PY) -m cs_analytics demo --workspace "$(WORKSPACE)"
	@echo "CS Analytics: open http://127.0.0.1:$(PORT) (Ctrl-C stops it)"
	CS_ANALYTICS_DB="$(WORKSPACE)" $(PY) -m ui.serve --server.address 127.0.0.1 --server.port $(PORT)

browser:
	@bash scripts/ensure_chromium.sh

java:
	@bash scripts/ensure_java.sh

test: $(VENV)/.installed-dev browser java
	$(PY) -m pytest -n 2 --dist worksteal --durations=30

demo: $(VENV)/.installed
	$(PY) -m cs_analytics demo --workspace "$(WORKSPACE)"

bench: $(VENV)/.installed-dev
	$(PY) bench/run_all.py

screenshots: $(VENV)/.installed-dev browser
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache
