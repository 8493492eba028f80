#!/usr/bin/env python3
"""Builds the real-data PII evaluation set (bench/pii_real.sh calls this).

Reads the labelled columns (tests/data/pii_real/labels.tsv: file, column, expected classes
or "none", split, note) and the data files of the pinned vega-datasets package, and writes
one JSON line per labelled column in the shape test_pii --table reads (name, type,
expected, kind, dataset, values): values are what the ingest scan hands the classifier,
the distinct non-NULL values (up to 200) of a 1,000-row sample, rendered as text; dataset
(the file) groups a file's consecutive columns for the scan's dataset-level pass.
Usage: pii_real.py LABELS DATA_DIR SPLIT OUT.jsonl   (SPLIT: dev, holdout or all)
"""
import csv, json, random, re, sys

SAMPLE_ROWS, SAMPLE_VALUES = 1000, 200


def load(path):
    if path.endswith((".csv", ".tsv")):
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t" if path.endswith(".tsv") else ","))
        return [{k: (v if v != "" else None) for k, v in r.items()} for r in rows]
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"))
    return str(v)


INT = re.compile(r"^-?\d+$")
NUM = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def type_of(vals):
    """Roughly the type DuckDB's sniffer gives the column."""
    if vals and all(INT.match(v) and not (len(v) > 1 and v[0] == "0") for v in vals):
        return "BIGINT"
    if vals and all(NUM.match(v) for v in vals):
        return "DOUBLE"
    if vals and all(DATE.match(v) for v in vals):
        return "DATE"
    return "VARCHAR"


def main():
    labels, data, split, out = sys.argv[1:5]
    cache = {}
    n = 0
    with open(labels, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as o:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            file, col, expected, part = line.rstrip("\n").split("\t")[:4]
            if split != "all" and part != split:
                continue
            if file not in cache:
                rows = load(f"{data}/{file}")
                r = random.Random(0)
                cache[file] = r.sample(rows, SAMPLE_ROWS) if len(rows) > SAMPLE_ROWS else rows
            vals = []
            seen = set()
            for row in cache[file]:
                v = row.get(col)
                if v is None:
                    continue
                s = text(v)
                if s not in seen:
                    seen.add(s)
                    vals.append(s)
                if len(vals) >= SAMPLE_VALUES:
                    break
            want = [] if expected == "none" else expected.split(",")
            o.write(json.dumps({"name": col, "type": type_of(vals), "expected": want,
                                "kind": file, "dataset": file, "values": vals}) + "\n")
            n += 1
    print(f"{n} columns", file=sys.stderr)


if __name__ == "__main__":
    main()
