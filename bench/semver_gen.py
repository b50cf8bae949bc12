#!/usr/bin/env python3
"""Generates the inputs of bench/semver.sh: N versions, and N range/version pairs drawn from
R distinct ranges in node-semver's grammar. Deterministic for a seed.
usage: semver_gen.py DIR [N] [R] [SEED]"""
import os
import random
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
nr = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)


def version():
    v = f"{rng.randint(0, 20)}.{rng.randint(0, 50)}.{rng.randint(0, 200)}"
    if rng.random() < 0.3:
        v += "-" + rng.choice(["alpha", "beta", "rc", "dev"]) + "." + str(rng.randint(0, 30))
    if rng.random() < 0.05:
        v += "+build." + str(rng.randint(0, 999))
    return v


def xyz():
    return f"{rng.randint(0, 20)}.{rng.randint(0, 50)}.{rng.randint(0, 200)}"


def range_():
    k = rng.random()
    if k < 0.25:
        return "^" + xyz()
    if k < 0.45:
        return f"~{rng.randint(0, 20)}.{rng.randint(0, 50)}"
    if k < 0.6:
        return f">={xyz()} <{rng.randint(0, 20)}.0.0"
    if k < 0.7:
        return f"{rng.randint(0, 20)}.{rng.randint(0, 50)}.x"
    if k < 0.8:
        return f"{xyz()} - {xyz()}"
    if k < 0.9:
        return f"^{xyz()} || ~{xyz()} || >={xyz()}-rc.1"
    return f">{xyz()}"


with open(os.path.join(out, "versions.txt"), "w") as f:
    f.write("".join(version() + "\n" for _ in range(n)))
ranges = [range_() for _ in range(nr)]
with open(os.path.join(out, "pairs.txt"), "w") as f:
    f.write("".join(f"{rng.choice(ranges)}\t{version()}\n" for _ in range(n)))
