# Flink CFU Estimator: the two set-up commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Debian packages the tests need: Chromium for the browser test, LibreOffice to recalculate
# exported workbooks (and print them to PDF), poppler-utils (pdfinfo, pdftoppm, pdftotext) to
# count printed pages and read the PDF handout back,
# PostgreSQL for the scenario library's tests (they start their own server).
SYSTEM_PACKAGES := chromium libreoffice-calc-nogui fonts-dejavu-core poppler-utils postgresql

.PHONY: run test bench lint format system-deps clean flink wheel model-bench model-fit fidelity

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install when pyproject.toml changes.
# After installing, one tiny estimate compiles the simulation kernel into its cache.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/cfu-estimator estimate estimator/examples/confluent_cfu_curve.yaml >/dev/null
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/cfu-estimator estimate estimator/examples/confluent_cfu_curve.yaml >/dev/null
	@touch $@ $(VENV)/.installed

system-deps:
	@missing=""; \
	for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# Real Apache Flink for `cfu-estimator calibrate`: its own venv (PyFlink pins older pandas,
# numpy and pyarrow than the app) and Java 17 from Debian. A stamp file keeps it from being redone.
# The JDK (javac), not only the runtime: the operator benchmark's lookup join compiles a small
# connector (bench/model/lookup/). Checked on every `make flink`, so a machine set up before
# gets it too.
FLINK_VENV := .flink-venv
FLINK_VERSION := 2.3.0

$(FLINK_VENV)/.installed:
	[ -x $(FLINK_VENV)/bin/python ] || $(PYTHON) -m venv $(FLINK_VENV)
	$(FLINK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(FLINK_VENV)/bin/pip install --quiet apache-flink==$(FLINK_VERSION)
	@touch $@

flink: $(FLINK_VENV)/.installed
	@{ command -v java && command -v javac; } >/dev/null 2>&1 || { \
	  echo "Installing Debian package: openjdk-17-jdk-headless"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    openjdk-17-jdk-headless >/dev/null; }

run: $(VENV)/.installed
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: lint system-deps flink
	$(BIN)/pytest -n 2 --dist loadfile -q

bench: $(VENV)/.installed-dev
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# The operator benchmark on real Flink (about 20 minutes on 2 cores; --quick: one minute),
# the fit of model_parameters.yaml from it, and the model against measurements and publications.
model-bench: $(VENV)/.installed-dev flink
	$(BIN)/python bench/model/run.py $(ARGS)

model-fit: $(VENV)/.installed-dev
	$(BIN)/python bench/model/fit.py

fidelity: $(VENV)/.installed-dev
	$(BIN)/python bench/model/fidelity.py

# Zero findings from each: ruff (lint and format), mypy (with the pydantic plugin), vulture.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/vulture

# The wheel users install without cloning: dist/flink_cfu_estimator-*.whl
wheel: $(VENV)/.installed-dev
	rm -rf dist build
	$(BIN)/pip wheel --quiet --no-deps -w dist .
	@ls dist/*.whl

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis build dist *.egg-info
