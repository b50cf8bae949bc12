#!/usr/bin/env bash
# Compare and sort 1,000,000 versions and check 1,000,000 range/version pairs with libcicd
# and with node-semver (pinned in tests/compat/semver) on the same generated files, in one
# run, and print the times and the ratios (node-semver time / libcicd time).
#   bench/semver.sh [N] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
runs=${2:-3}
[ -x build/bench/bench_semver ] || { cmake -S . -B build -G Ninja >/dev/null; ninja -C build -j2 bench_semver; }
(cd tests/compat/semver && { [ -d node_modules/semver ] || npm ci --no-audit --no-fund --loglevel=error >/dev/null; })
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 bench/semver_gen.py "$tmp" "$n" 1000 1
build/bench/bench_semver "$tmp/versions.txt" "$tmp/pairs.txt" "$runs" > "$tmp/cicd.out"
NODE_PATH=tests/compat/semver/node_modules node bench/semver_node.js "$tmp/versions.txt" "$tmp/pairs.txt" "$runs" > "$tmp/node.out"
python3 - "$tmp/cicd.out" "$tmp/node.out" <<'PY'
import sys
def read(p):
    d = {}
    for line in open(p):
        parts = line.split()
        if parts[0] == "time":
            d[parts[1]] = float(parts[2])
        else:
            d[parts[0]] = parts[1]
    return d
c, n = read(sys.argv[1]), read(sys.argv[2])
c["parse+sort"] = c["parse"] + c["sort"]  # semver.sort() takes strings: count libcicd's parsing too
if c["satisfied"] != n["satisfied"]:
    sys.exit(f"the two sides disagree: {c['satisfied']} vs {n['satisfied']} pairs satisfied")
print(f"{c['versions']} versions, {c['pairs']} range/version pairs ({n['satisfied']} satisfied on both sides)")
print(f"{'measurement':34} {'libcicd':>10} {'node-semver':>12} {'ratio':>8}")
rows = [("parse 1M versions", "parse", "parse"),
        ("compare 1M parsed pairs", "compare", "compare"),
        ("compare 1M string pairs", "compare_str", "compare_str"),
        ("sort 1M parsed versions", "sort", "sort"),
        ("sort 1M strings (parse + sort)", "parse+sort", "sort_strings"),
        ("1M range/version pairs", "satisfies", "satisfies"),
        ("1M pairs via semver.satisfies()", "satisfies", "satisfies_api")]
for name, ck, nk in rows:
    if ck in c and nk in n:
        print(f"{name:34} {c[ck]*1e3:9.1f}ms {n[nk]*1e3:11.1f}ms {n[nk]/c[ck]:7.1f}x")
print(f"allocations in libcicd's 1M-compare loop: {c['allocations_in_compare_loop']}")
print(f"libcicd peak RSS: {int(c['peak_rss_kib'])//1024} MiB")
PY
