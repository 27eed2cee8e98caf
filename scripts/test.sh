#!/usr/bin/env bash
# Set up werkboek with its test dependencies (scripts/setup.sh test), then check the code
# (ruff: lint and format; mypy --strict) and run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/python -m ruff check src tests benchmarks tools
.venv/bin/python -m ruff format --check --quiet src tests benchmarks tools
.venv/bin/python -m mypy
.venv/bin/python -m pytest "$@"
