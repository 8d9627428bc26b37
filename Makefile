# The two commands a newcomer needs: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
CLI := $(VENV)/bin/claim-intake
STAMP := $(VENV)/.installed-stamp
BUNDLES := samples/bundles
ROSTER := samples/roster/demo_roster.csv

.PHONY: install demo test test-fast samples record bench lint lock

$(STAMP): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	@for bundle in $(BUNDLES)/inpatient_complete $(BUNDLES)/inpatient_missing_discharge_summary; do \
		echo; echo "=== $$bundle"; \
		$(CLI) process $$bundle --claim-type inpatient --roster $(ROSTER) || exit 1; \
	done

# Installs what the suite needs from the system where it can (tests/machine-prereqs) and starts
# PostgreSQL and Redis itself when the machine has none (tests/services.py).
test: install
	tests/machine-prereqs
	$(PY) -m pytest

# No real OCR, no browser: replayed OCR answers, the service against its real backends.
test-fast: install
	tests/machine-prereqs --no-browser
	$(PY) -m pytest -m "not ocr and not browser"

samples: install
	$(PY) -m claim_intake.samples.generate $(BUNDLES)
	$(PY) -m claim_intake.samples.roster $(ROSTER)

record: install
	$(PY) tests/record_replays.py

bench: install
	$(PY) benchmarks/read_speed.py

lint: install
	$(VENV)/bin/ruff check claim_intake tests benchmarks

# The pinned, hashed dependency set the Dockerfile installs (pip install --require-hashes), at the
# versions of constraints.txt (those the tests ran with).
lock: $(STAMP)
	$(PY) -m piptools compile --generate-hashes --strip-extras --extra deploy --allow-unsafe --no-emit-index-url -c constraints.txt \
		--no-emit-find-links -o requirements.lock pyproject.toml
