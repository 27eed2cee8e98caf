#!/usr/bin/env bash
# Set up werkboek (scripts/setup.sh) and build every PDF from the shipped content into output/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/werkboek check --stil
.venv/bin/werkboek build all
