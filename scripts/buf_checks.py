#!/usr/bin/env python3
"""buf_checks.py: how lh_buf builders check their status (issue 12 item 1).

For every lh_buf append (add, adds, addc, printf, vprintf, add_sql_string, add_sql_ident)
outside core/buf.c, says whether its status is used on the spot, and if it is ignored
whether the same function later checks the builder once (lh_buf_status or lh_buf_detach)
or the buffer belongs to a caller (an `lh_buf *` parameter: the caller checks).
An ignored append with neither is "unchecked". Also counts reads of `.data` of an lh_buf,
which is NULL after a failure. Usage: scripts/buf_checks.py [-v] [dir...]"""
import re, sys, os

APPEND = {"add", "adds", "addc", "printf", "vprintf", "add_sql_string", "add_sql_ident"}
CHECK = {"status", "detach"}

def strip(src):
    # blank out comments and string/char literals, keeping offsets and newlines
    out, i, n = list(src), 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("/*", i):
            j = src.find("*/", i + 2); j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n": out[k] = " "
            i = j
        elif src.startswith("//", i):
            j = src.find("\n", i); j = n if j < 0 else j
            for k in range(i, j): out[k] = " "
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            for k in range(i + 1, min(j, n)):
                if out[k] != "\n": out[k] = " "
            i = j + 1
        else:
            i += 1
    return "".join(out)

def functions(s):
    # (header, body_start, body_end) for each top-level brace block that follows a ')'
    depth, start, res = 0, None, []
    for i, c in enumerate(s):
        if c == "{":
            if depth == 0:
                start = i
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0 and start is not None:
                head = s[max(0, s.rfind(";", 0, start), s.rfind("}", 0, start)) + 1:start]
                if head.rstrip().endswith(")"):
                    res.append((head, start, i))
    return res

CALL = re.compile(r"\blh_buf_(\w+)\s*\(")

def first_arg(s, pos):
    depth, j = 0, pos
    while j < len(s):
        if s[j] in "([": depth += 1
        elif s[j] in ")]":
            if depth == 0: break
            depth -= 1
        elif s[j] == "," and depth == 0: break
        j += 1
    return s[pos:j].strip()

def all_args(s, pos):
    # every argument of the call whose "(" ends at pos (a check helper may take the
    # buffer in any place: csv_buf(c, &b))
    args, j = [], pos
    while True:
        a = first_arg(s, j)
        args.append(a)
        j += len(s[j:].split(a, 1)[0]) + len(a) if a else 0
        while j < len(s) and s[j] in " \t\n":
            j += 1
        if j >= len(s) or s[j] != ",":
            return args
        j += 1

def used(s, start):
    line_start = s.rfind("\n", 0, start) + 1
    before = s[line_start:start].strip()
    if before in ("", "(void)") or before.endswith((";", "{", "}", "else", "(void)", ":")):
        return False
    if before.endswith(")"):  # `if (x) lh_buf_adds(...)` or a cast
        return before.endswith("(void)")
    if re.search(r"\bfor\s*\(.*;.*;", before):
        return False
    return True

SHARED_HELPERS = set()  # check helpers defined in any scanned file (lh__ingest_built, say)

def check_helpers(s):
    # functions that check an lh_buf they are given: a call to one is the builder's check
    # too (cache.c's built(), ingest's lh__ingest_built, say)
    names = set(SHARED_HELPERS)
    for head, a, b in functions(s):
        m = re.search(r"(\w+)\s*\([^()]*\blh_buf\s*\*\s*(\w+)", head)
        if m and re.search(r"\blh_buf_(status|detach)\s*\(\s*" + m.group(2) + r"\b", s[a:b]):
            names.add(m.group(1))
    return names

def scan(path, verbose):
    src = open(path, encoding="utf-8", errors="replace").read()
    s = strip(src)
    stats = dict(calls=0, appends=0, used=0, final=0, caller=0, unchecked=0, checks=0, data=0)
    bufvars = set(re.findall(r"\blh_buf\s+\**\s*(\w+)", s))
    helpers = check_helpers(s)
    for head, a, b in functions(s):
        body = s[a:b]
        params = set(re.findall(r"\blh_buf\s*\*\s*(\w+)", head))
        # struct pointers handed in: an append to w->out belongs to the caller's builder
        ptr_params = set(re.findall(r"\*\s*(\w+)\s*[,)]", head))
        checks = [(m.start(), first_arg(body, m.end())) for m in CALL.finditer(body) if m.group(1) in CHECK]
        for h in helpers:
            checks += [(m.start(), a) for m in re.finditer(r"\b" + h + r"\s*\(", body)
                       for a in all_args(body, m.end())]
        for m in CALL.finditer(body):
            stats["calls"] += 1
            kind = m.group(1)
            if kind in CHECK:
                stats["checks"] += 1
                continue
            if kind not in APPEND:
                continue
            stats["appends"] += 1
            if used(body, m.start()):
                stats["used"] += 1
                continue
            arg = first_arg(body, m.end())
            name = re.sub(r"^&", "", arg)
            owner = re.match(r"(\w+)\s*->", name)
            if name in params or (owner and owner.group(1) in ptr_params and
                                  not any(p > m.start() and re.sub(r"^&", "", c) == name
                                          for p, c in checks)):
                stats["caller"] += 1
            elif any(p > m.start() and re.sub(r"^&", "", c) == name for p, c in checks):
                stats["final"] += 1
            else:
                stats["unchecked"] += 1
                if verbose:
                    line = src.count("\n", 0, a + m.start()) + 1
                    print(f"{path}:{line}: unchecked lh_buf_{kind}({arg}, ...)")
        for m in re.finditer(r"\b(\w+)\s*(?:\.|->)\s*data\b", body):
            if m.group(1) in bufvars:
                stats["data"] += 1
                if verbose:
                    line = src.count("\n", 0, a + m.start()) + 1
                    print(f"{path}:{line}: reads {m.group(0)}")
    return stats

def main():
    args = sys.argv[1:]
    verbose = "-v" in args
    dirs = [a for a in args if a != "-v"] or ["src"]
    total = {}
    files = []
    for d in dirs:
        for root, _, names in os.walk(d):
            files += [os.path.join(root, n) for n in names if n.endswith(".c")]
    for f in sorted(files):  # first pass: the check helpers, wherever they are defined
        if not f.endswith("core/buf.c"):
            SHARED_HELPERS.update(check_helpers(strip(open(f, encoding="utf-8",
                                                           errors="replace").read())))
    for f in sorted(files):
        if f.endswith("core/buf.c"):
            continue
        for k, v in scan(f, verbose).items():
            total[k] = total.get(k, 0) + v
    print("lh_buf_* calls: {calls}; appends: {appends}; status used on the spot: {used}; "
          "ignored but checked once later (lh_buf_status/detach): {final}; "
          "into a caller's buffer: {caller}; ignored and never checked: {unchecked}; "
          "final-check sites (lh_buf_status/detach): {checks}; reads of an lh_buf's .data: {data}"
          .format(**{k: total.get(k, 0) for k in
                     ("calls", "appends", "used", "final", "caller", "unchecked", "checks", "data")}))

if __name__ == "__main__":
    main()
