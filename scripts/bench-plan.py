#!/usr/bin/env python3
"""Benchmark: `releasekit-cargo plan` on a generated workspace of 200 crates and 20,000 commits,
next to a plain `git log --name-only` over the same history (the floor: the history must be
read once). `plan` runs `--offline`: the registry's answer time is not the planner's. Prints the
medians and the ratio; asserts nothing.

Usage: scripts/bench-plan.py [--crates N] [--commits N] [--runs N] [--keep DIR]
"""
import argparse
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
KINDS = ["feat", "fix", "perf", "chore", "docs", "refactor", "test", "fix", "feat", "chore"]


def manifest(i, deps):
    lines = [
        "[package]",
        f'name = "c{i:03}"',
        'version = "1.0.0"',
        'edition = "2021"',
        f'description = "crate {i}"',
        'license = "MIT"',
        "",
        "[dependencies]",
    ]
    lines += [f'c{d:03} = {{ path = "../c{d:03}", version = "1.0" }}' for d in deps]
    return "\n".join(lines) + "\n"


def generate(dest, crates, commits, seed=7):
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", "-b", "main", dest], check=True)
    out = []
    mark = 0

    def blob_cmd(path, text):
        data = text.encode()
        return f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n"

    def commit(msg, files, ts):
        nonlocal mark
        mark += 1
        body = msg.encode()
        chunk = f"commit refs/heads/main\nmark :{mark}\ncommitter Dev <dev@example.com> {ts} +0000\ndata {len(body)}\n".encode()
        chunk += body + b"\n"
        if mark > 1:
            chunk += f"from :{mark - 1}\n".encode()
        for path, text in files:
            chunk += blob_cmd(path, text)
        out.append(chunk + b"\n")
        return mark

    members = ",\n".join(f'    "crates/c{i:03}"' for i in range(crates))
    files = [("Cargo.toml", f'[workspace]\nmembers = [\n{members}\n]\nresolver = "2"\n')]
    for i in range(crates):
        deps = sorted(rng.sample(range(i), min(i, rng.randint(0, 3))))
        files.append((f"crates/c{i:03}/Cargo.toml", manifest(i, deps)))
        files.append((f"crates/c{i:03}/src/lib.rs", f"//! crate {i}\n"))
    ts = 1_700_000_000
    commit("chore: initial workspace", files, ts)
    tag_at = commits // 2
    tag_mark = None
    for n in range(1, commits):
        kind = rng.choice(KINDS)
        touched = rng.sample(range(crates), rng.choice([1, 1, 1, 2, 3]))
        scope = f"c{touched[0]:03}"
        msg = f"{kind}({scope}): change number {n}"
        if rng.random() < 0.2:
            msg += f"\n\nA body explaining change {n}.\n\nRefs: #{n}"
        if rng.random() < 0.005:
            msg += "\n\nBREAKING CHANGE: the api moved"
        files = [(f"crates/c{t:03}/src/f{n % 7}.rs", f"// change {n}\n") for t in touched]
        if rng.random() < 0.05:
            files.append(("README.md", f"# readme {n}\n"))
        m = commit(msg, files, ts + n)
        if n == tag_at:
            tag_mark = m
    stream = b"".join(out)
    for i in range(crates):
        if i % 4 != 3:  # three crates in four were released at the midpoint; the rest are new
            stream += f"reset refs/tags/c{i:03}-v1.0.0\nfrom :{tag_mark}\n\n".encode()
    subprocess.run(["git", "fast-import", "--quiet"], input=stream, cwd=dest, check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=dest, check=True)
    subprocess.run(["git", "gc", "-q", "--aggressive"], cwd=dest, check=True)


def timed(cmd, cwd, runs):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--crates", type=int, default=200)
    ap.add_argument("--commits", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep")
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "releasekit-cargo")
    dest = args.keep or tempfile.mkdtemp(prefix="releasekit-bench-")
    if not os.path.exists(os.path.join(dest, ".git")):
        start = time.perf_counter()
        generate(dest, args.crates, args.commits)
        print(f"generated {args.crates} crates and {args.commits} commits in {time.perf_counter() - start:.1f}s at {dest}")
    # Warm the caches once for both.
    plan_cmd = [binary, "plan", "--json", "--offline"]
    subprocess.run(plan_cmd, cwd=dest, check=True, stdout=subprocess.DEVNULL)
    floor = timed(["git", "log", "--name-only", "HEAD"], dest, args.runs)
    plan = timed(plan_cmd, dest, args.runs)
    print(f"git log --name-only : {floor:.3f}s (median of {args.runs})")
    print(f"releasekit-cargo plan: {plan:.3f}s (median of {args.runs})")
    print(f"ratio plan / floor  : {plan / floor:.2f}x   (target: <= 1.5x and < 2 s)")
    if not args.keep:
        shutil.rmtree(dest)


if __name__ == "__main__":
    main()
