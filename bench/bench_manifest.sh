#!/usr/bin/env bash
# Manifest parse+validate+order against libyaml's raw parse and Python's yaml.CSafeLoader,
# on the same generated 10,000-object stream, in one run; prints ratios.
#   bench/bench_manifest.sh [BUILD_DIR] [RUNS]
set -euo pipefail
build=${1:-build}
runs=${2:-3}
bin=$build/bench/bench_manifest
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
venv=${CICD_BENCH_VENV:-$build/bench/venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q pyyaml
fi
"$venv/bin/python" -c 'import yaml; assert yaml.__with_libyaml__, "PyYAML built without libyaml"'

"$bin" gen "$tmp/stream.yaml"
field() { sed -n "s/^$1: //p" "$2"; }
# Times: raw and cicd interleaved in one process; peak RSS: one process each.
"$bin" time "$tmp/stream.yaml" "$runs" >"$tmp/time"
"$bin" raw "$tmp/stream.yaml" 1 >"$tmp/raw"
"$bin" cicd "$tmp/stream.yaml" 1 >"$tmp/cicd"
"$venv/bin/python" - "$tmp/stream.yaml" "$runs" >"$tmp/py" <<'PY'
import resource, sys, time, yaml
data = open(sys.argv[1], "rb").read()
best = 1e9
for _ in range(int(sys.argv[2])):
    t0 = time.monotonic()
    docs = [d for d in yaml.load_all(data, Loader=yaml.CSafeLoader) if d is not None]
    best = min(best, time.monotonic() - t0)
    n = len(docs)
    del docs
print("objects: %d" % n)
print("best_ms: %.1f" % (best * 1e3))
print("peak_rss_kib: %d" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
PY
bytes=$(field input_bytes "$tmp/raw")
python3 - "$bytes" "$tmp/raw" "$tmp/cicd" "$tmp/py" "$tmp/time" <<'PY'
import sys
size = int(sys.argv[1])
def read(p):
    return dict(l.strip().split(": ", 1) for l in open(p) if ": " in l)
raw, cicd, py, times = (read(p) for p in sys.argv[2:6])
raw["best_ms"], cicd["best_ms"] = times["raw_ms"], times["cicd_ms"]
t = lambda d: float(d["best_ms"])
rss = lambda d: int(d["peak_rss_kib"]) * 1024
print("input: %.1f MB, %s objects" % (size / 1e6, cicd["objects"]))
print("libyaml raw events:            %8.1f ms  %6.1f MB/s  peak RSS %6.1f MB" % (t(raw), size / 1e3 / t(raw), rss(raw) / 1e6))
print("cicd parse+validate+order:     %8.1f ms  %6.1f MB/s  peak RSS %6.1f MB" % (t(cicd), size / 1e3 / t(cicd), rss(cicd) / 1e6))
print("python yaml.CSafeLoader:       %8.1f ms  %6.1f MB/s  peak RSS %6.1f MB" % (t(py), size / 1e3 / t(py), rss(py) / 1e6))
print("ratio cicd/raw libyaml time:   %.2fx  (aim: within 2x)" % (t(cicd) / t(raw)))
print("ratio cicd/CSafeLoader time:   %.2fx" % (t(cicd) / t(py)))
# The raw run holds the input and little else: its peak is the baseline the set's memory adds to.
extra = rss(cicd) - rss(raw)
print("cicd memory over input:        %.2fx of input (%.1f MB above the raw run; aim: under 3x)" % (extra / size, extra / 1e6))
print("ratio cicd/CSafeLoader memory: %.2fx (peak RSS)" % (rss(cicd) / rss(py)))
PY
