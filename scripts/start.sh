#!/usr/bin/env bash
# Set up werkboek (scripts/setup.sh), build every PDF from the shipped content into output/,
# then start the app in the browser on http://127.0.0.1:8000 (until Ctrl-C).
# Arguments go to `werkboek serve` (for example --poort 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
exec .venv/bin/werkboek serve "$@"
