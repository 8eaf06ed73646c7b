#!/usr/bin/env python3
"""Check the planner's publish order on real workspaces.

For each `cargo metadata --no-deps` dump under the corpus directory (default: ../shared/corpus
next to the repository), run `releasekit-cargo plan --metadata-file … --json` with a published
version assumed for every crate (the previous release: one patch, minor or major step below its
current version), then re-derive the publish constraints here, independently of the Rust code,
and check that every crate's wave comes after the waves of all crates it must follow.

Usage: scripts/check-corpus.py [CORPUS_DIR] [--bin PATH]
Exit 0 when every workspace has a valid order; 1 otherwise.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def parse(v):
    core, _, pre = v.partition("-")
    core = core.split("+")[0]
    major, minor, patch = (int(x) for x in core.split("."))
    return (major, minor, patch), pre


def previous(v):
    (major, minor, patch), _ = parse(v)
    if patch > 0:
        return f"{major}.{minor}.{patch - 1}"
    if minor > 0:
        return f"{major}.{minor - 1}.0"
    if major > 0:
        return f"{major - 1}.0.0"
    return None


def matches(req, version):
    """Enough of cargo's semver matching for the requirement forms the corpus uses."""
    (vt, vpre) = parse(version)
    for comp in (c.strip() for c in req.split(",")):
        m = re.fullmatch(r"(\^|=|~|>=|<=|>|<)?\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?", comp)
        if not m:
            if comp == "*":
                continue
            raise ValueError(f"unsupported requirement {req!r}")
        op, a, b, c, pre = m.groups()
        op = op or "^"
        parts = [int(a)] + [int(x) for x in (b, c) if x is not None]
        lower = tuple(parts + [0] * (3 - len(parts)))
        # A prerelease version matches only a comparator that names a prerelease of the same x.y.z.
        if vpre and not (pre and lower == vt):
            return False
        key = (vt, 0 if vpre else 1, vpre)
        low_key = (lower, 0 if pre else 1, pre or "")
        if op == "=":
            if len(parts) == 3 and (vt != lower or (vpre or "") != (pre or "")):
                return False
            if len(parts) < 3 and tuple(vt[: len(parts)]) != tuple(parts):
                return False
        elif op == "^":
            if key < low_key:
                return False
            if lower[0] > 0 or len(parts) == 1:
                upper = (lower[0] + 1, 0, 0)
            elif lower[1] > 0 or len(parts) == 2:
                upper = (0, lower[1] + 1, 0)
            else:
                upper = (0, 0, lower[2] + 1)
            if vt >= upper:
                return False
        elif op == "~":
            if key < low_key:
                return False
            upper = (lower[0] + 1, 0, 0) if len(parts) == 1 else (lower[0], lower[1] + 1, 0)
            if vt >= upper:
                return False
        elif op == ">=" and key < low_key:
            return False
        elif op == ">" and key <= low_key:
            return False
        elif op == "<" and key >= low_key:
            return False
        elif op == "<=" and key > low_key:
            return False
    return True


def constraints(meta, published):
    """(a, b, why) for each publishable a that must be published after publishable b."""
    members = set(meta["workspace_members"])
    pkgs = [p for p in meta["packages"] if p["id"] in members]
    publishable = {p["name"] for p in pkgs if p["publish"] != []}
    by_dir = {os.path.dirname(p["manifest_path"]): p["name"] for p in pkgs}
    out = []
    for p in pkgs:
        if p["name"] not in publishable:
            continue
        for d in p["dependencies"]:
            target = by_dir.get(d.get("path") or "")
            if target is None or target == p["name"] or target not in publishable:
                continue
            if d["kind"] == "dev":
                if d["req"] == "*":
                    continue  # path-only dev-dependencies are stripped by cargo
                if any(matches(d["req"], v) for v in published.get(target, [])):
                    continue
            out.append((p["name"], target, f'{d["kind"] or "normal"} {d["req"]}'))
    return publishable, out


def main():
    args = sys.argv[1:]
    binary = None
    if "--bin" in args:
        i = args.index("--bin")
        binary = args[i + 1]
        del args[i : i + 2]
    corpus = args[0] if args else os.path.join(ROOT, "..", "shared", "corpus")
    if binary is None:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        binary = os.path.join(ROOT, "target", "release", "releasekit-cargo")
    failed = False
    for name in sorted(os.listdir(corpus)):
        path = os.path.join(corpus, name, "metadata.no-deps.json")
        if not os.path.exists(path):
            continue
        meta = json.load(open(path))
        members = set(meta["workspace_members"])
        published = {}
        for p in meta["packages"]:
            prev = previous(p["version"]) if p["id"] in members else None
            if prev:
                published[p["name"]] = [prev]
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(published, f)
        run = subprocess.run(
            [binary, "plan", "--metadata-file", path, "--published-file", f.name, "--json"],
            capture_output=True,
            text=True,
        )
        os.unlink(f.name)
        if run.returncode != 0:
            print(f"FAIL {name}: plan exited {run.returncode}: {run.stderr.strip()}")
            failed = True
            continue
        plan = json.loads(run.stdout)
        wave = {c["name"]: c["wave"] for c in plan["crates"] if c["released"]}
        publishable, cons = constraints(meta, published)
        bad = [(a, b, why) for a, b, why in cons if wave.get(a) is None or wave.get(b) is None or wave[a] <= wave[b]]
        missing = publishable - set(wave)
        if bad or missing:
            failed = True
            print(f"FAIL {name}: {len(bad)} constraint(s) broken, {len(missing)} crate(s) missing")
            for a, b, why in bad[:10]:
                print(f"    {a} (wave {wave.get(a)}) must follow {b} (wave {wave.get(b)}): {why}")
        else:
            print(
                f"ok   {name}: {len(publishable)} publishable crates in {len(plan['waves'])} waves, "
                f"{len(cons)} ordering constraints hold"
            )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
