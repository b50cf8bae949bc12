#!/usr/bin/env bash
# Stops the control plane that start.sh started in STATE_DIR (by the pids it recorded).
# Idempotent: stopping a stopped (or never started) STATE_DIR succeeds. Keeps STATE_DIR itself
# (logs, certificates) for inspection; remove it yourself if you like.
# Usage: stop.sh STATE_DIR
set -uo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 STATE_DIR" >&2
  exit 2
fi
[ -d "$1/pids" ] || exit 0
STATE="$(cd "$1" && pwd)"

# Only signal a pid that is still one of ours: its command line mentions STATE_DIR
# (guards against pid reuse after a reboot or a long time).
ours() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && grep -qF "$STATE" "/proc/$1/cmdline" 2>/dev/null; }

pids=()
# Reverse start order: kwok and the controllers first, etcd last.
for name in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
  f="$STATE/pids/$name.pid"
  [ -f "$f" ] || continue
  pid="$(cat "$f" 2>/dev/null)"
  if ours "$pid"; then
    kill -TERM "$pid" 2>/dev/null && pids+=("$pid") && echo "k8s-testenv/stop: stopping $name (pid $pid)" >&2
  fi
done

# Wait up to 10 s for a clean exit, then SIGKILL what is left.
for ((i = 0; i < 100; i++)); do
  left=()
  for pid in "${pids[@]}"; do ours "$pid" && left+=("$pid"); done
  [ ${#left[@]} -eq 0 ] && break
  sleep 0.1
done
for pid in "${pids[@]}"; do
  if ours "$pid"; then
    echo "k8s-testenv/stop: pid $pid did not exit, killing it" >&2
    kill -KILL "$pid" 2>/dev/null
  fi
done
rm -f "$STATE"/pids/*.pid
exit 0
