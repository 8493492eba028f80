#!/usr/bin/env bash
# `make run`: ingests the example data into ./data (once) and shows a query over it.
# The HTTP server arrives with a later issue; until then this is the whole demo.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/lakehouse}
export LAKEHOUSE_DATA=${LAKEHOUSE_DATA:-$PWD/data}
echo "== data directory: $LAKEHOUSE_DATA"
"$BIN" ingest examples/cities.csv --name cities
echo
echo "== lakehouse datasets"
"$BIN" datasets
echo
Q="SELECT country, count(*) AS cities, sum(population) AS people FROM cities GROUP BY country ORDER BY people DESC LIMIT 5"
echo "== lakehouse sql \"$Q\""
"$BIN" sql "$Q"
echo
echo "Try: $BIN sql \"FROM cities WHERE capital\" --format csv"
