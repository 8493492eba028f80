#!/usr/bin/env bash
# PII detection quality: per-class precision/recall of the classifier over the labelled
# evaluation set (tests/data/pii_eval/columns.jsonl) and the held-out set (holdout.jsonl).
# Usage: bench/pii_eval.sh [BUILD_DIR]   (builds the test binary first; -v lists mistakes)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
make -s BUILD="$BUILD" "$BUILD/tests/test_pii" >/dev/null
echo "### Evaluation set"; echo
"$BUILD/tests/test_pii" --table tests/data/pii_eval/columns.jsonl
echo; echo "### Held-out set"; echo
"$BUILD/tests/test_pii" --table tests/data/pii_eval/holdout.jsonl
