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

.PHONY: run test install web-build web-test web-types web-types-check lint typecheck pytest migrate

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
web-test: web-types-check
	cd web && npm run lint && npm run typecheck && npm test
	cd web && npm run build
	@if [ ! -x /usr/bin/chromium ]; then \
		apt="apt-get -o DPkg::Lock::Timeout=600"; \
		if [ "$$(id -u)" != 0 ]; then apt="sudo $$apt"; fi; \
		$$apt update && $$apt install -y chromium; \
	fi
	$(UV) run --frozen pytest tests/e2e

# The web client's types are generated from the API's OpenAPI schema (docs/api.md): after a
# change to a route or a response model, `make web-types` rewrites web/src/api/openapi.json and
# web/src/api/schema.gen.ts; `npm run typecheck` then shows the browser code that no longer fits.
web-types: install
	cd web && npm ci --no-audit --no-fund
	$(UV) run --frozen python scripts/export-openapi.py web/src/api/openapi.json
	cd web && npm run api-types

# Regenerates both files in a scratch folder and fails when the checked-in ones differ.
web-types-check: install
	cd web && npm ci --no-audit --no-fund
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(UV) run --frozen python scripts/export-openapi.py "$$tmp/openapi.json" && \
	(cd web && npx --no-install openapi-typescript "$$tmp/openapi.json" -o "$$tmp/schema.gen.ts" --silent) && \
	for f in openapi.json schema.gen.ts; do \
		if ! cmp -s "$$tmp/$$f" "web/src/api/$$f"; then \
			echo "web/src/api/$$f is stale: the API changed. Run \`make web-types\` and commit the result." >&2; \
			exit 1; \
		fi; \
	done; \
	echo "web/src/api/openapi.json and schema.gen.ts match the API"
