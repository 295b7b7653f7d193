# Two commands for a fresh machine: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
WORKSPACE ?= $(or $(CS_ANALYTICS_DB),data/workspace.duckdb)

.PHONY: run test demo bench screenshots browser java system-packages clean

# uv installs the same pins as pip in under half the time (48-52 s against 125 s for both
# files on an empty cache); pip is the fallback where uv cannot be installed.
INSTALL = $(PY) -m uv pip install --quiet --python $(PY) -r $(1) || $(PY) -m pip install --quiet -r $(1)

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv || true
	$(call INSTALL,requirements.txt)
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(call INSTALL,requirements-dev.txt)
	touch $@

run: $(VENV)/.installed
	@test -f "$(WORKSPACE)" || $(PY) -m cs_analytics demo --workspace "$(WORKSPACE)"
	@echo "CS Analytics: open http://127.0.0.1:$(PORT) (Ctrl-C stops it)"
	CS_ANALYTICS_DB="$(WORKSPACE)" $(PY) -m ui.serve --server.address 127.0.0.1 --server.port $(PORT)

browser:
	@bash scripts/ensure_chromium.sh

java:
	@bash scripts/ensure_java.sh

# Debian's packages one after the other (apt-get takes one lock), beside the Python install.
system-packages:
	@bash scripts/ensure_chromium.sh
	@bash scripts/ensure_java.sh

test:
	$(MAKE) --no-print-directory -j2 $(VENV)/.installed-dev system-packages
	$(PY) -m pytest -n 2 --dist worksteal --durations=30

demo: $(VENV)/.installed
	$(PY) -m cs_analytics demo --workspace "$(WORKSPACE)"

bench: $(VENV)/.installed-dev
	$(PY) bench/run_all.py

screenshots: $(VENV)/.installed-dev browser
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache
