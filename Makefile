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

# The web UI (web/): a clean install from package-lock.json, then the production build that
# `make run` serves at /.
web-build:
	cd web && npm ci --no-audit --no-fund && npm run build

# Lint, type-check and unit-test the UI, build it, then drive it in Debian's Chromium against
# the real server and the provider fakes (tests/e2e; screenshots in artifacts/screenshots/).
# Chromium comes from apt when missing; nothing downloads a browser of its own.
web-test:
	cd web && npm ci --no-audit --no-fund
	cd web && npm run lint && npm run typecheck && npm test
	cd web && npm run build
	@if [ ! -x /usr/bin/chromium ]; then \
		apt="apt-get -o DPkg::Lock::Timeout=600"; \
		if [ "$$(id -u)" != 0 ]; then apt="sudo $$apt"; fi; \
		$$apt update && $$apt install -y chromium; \
	fi
	$(UV) run --frozen pytest tests/e2e
