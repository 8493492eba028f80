#!/usr/bin/env python3
"""delta_files.py TABLE_DIR [DUCKREF]: the live data files of a Delta table, one absolute
path a line, from its _delta_log (not a glob of the directory: after a compaction the
directory still holds the replaced files until vacuum, and a glob reads their rows twice).

Replays the JSON commits in version order (add, then remove, by path). When the log starts
after version 0 (older commits cleaned up behind a checkpoint), the adds and removes of the
latest checkpoint at or before the first JSON commit are read first, through DUCKREF
(a DuckDB CLI-like program: duckref SQL prints CSV), since the checkpoint is Parquet."""
import json, os, re, subprocess, sys


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: delta_files.py TABLE_DIR [DUCKREF]")
    table = os.path.abspath(sys.argv[1])
    duckref = sys.argv[2] if len(sys.argv) > 2 else None
    log = os.path.join(table, "_delta_log")
    commits = sorted((int(m.group(1)), n) for n in os.listdir(log)
                     if (m := re.fullmatch(r"(\d{20})\.json", n)))
    if not commits:
        sys.exit("delta_files.py: no commits in %s" % log)
    live = {}
    first = commits[0][0]
    if first > 0:
        cps = sorted((int(m.group(1)), n) for n in os.listdir(log)
                     if (m := re.fullmatch(r"(\d{20})\.checkpoint\.parquet", n)))
        cps = [c for c in cps if c[0] >= first - 1]
        if not cps or not duckref:
            sys.exit("delta_files.py: the log starts at version %d and no checkpoint could be read" % first)
        v, name = cps[0]
        out = subprocess.run([duckref, "SELECT add.path FROM read_parquet('%s') WHERE add IS NOT NULL"
                              % os.path.join(log, name)], check=True, capture_output=True, text=True).stdout
        for p in out.split("\n"):
            if p:
                live[p] = True
        commits = [c for c in commits if c[0] > v]
    for _, name in commits:
        with open(os.path.join(log, name)) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                a = json.loads(line)
                if "add" in a:
                    live[a["add"]["path"]] = True
                elif "remove" in a:
                    live.pop(a["remove"]["path"], None)
    for p in live:
        print(p if os.path.isabs(p) else os.path.join(table, p))


main()
