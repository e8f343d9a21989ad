# Two commands matter (see README.md):
#   make run    install everything, migrate, serve http://127.0.0.1:8080 (SQLite in ./data)
#   make test   install everything the tests need, then lint, type-check and test it all
#
# POLYCHAT_PORT / POLYCHAT_HOST (and every other POLYCHAT_* setting) apply to `make run`.

SHELL := /bin/bash
UV := $(shell sh scripts/ensure-uv.sh)
ifeq ($(UV),)
$(error could not find or install uv; see the messages above)
endif

.PHONY: run test install web-build web-test lint typecheck pytest migrate

run: install web-build
	$(UV) run --frozen polychat migrate
	$(UV) run --frozen polychat serve

test: install lint typecheck pytest web-test

install:
	$(UV) sync --frozen

migrate: install
	$(UV) run --frozen polychat migrate

lint:
	$(UV) run --frozen ruff check src tests
	$(UV) run --frozen ruff format --check src tests

typecheck:
	$(UV) run --frozen mypy --strict src

# Coverage is measured and enforced (90 %) for the provider layer only.
pytest:
	$(UV) run --frozen pytest --cov=polychat.providers --cov-report=term --cov-fail-under=90

# The web UI: nothing to do until web/package.json exists.
web-build:
	@if [ -f web/package.json ]; then cd web && npm ci --no-audit --no-fund && npm run build; \
	else echo "web-build: no web/package.json, skipping"; fi

web-test:
	@if [ -f web/package.json ]; then cd web && npm ci --no-audit --no-fund && npm test; \
	else echo "web-test: no web/package.json, skipping"; fi
