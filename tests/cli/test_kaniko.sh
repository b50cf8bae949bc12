#!/usr/bin/env bash
# cicd kaniko render: golden output, passwords from files or the environment only, exit codes.
set -euo pipefail
cicd=$1
src=$2
data=$src/tests/unit/pod/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

printf 's3cr3t\n' > "$tmp/pw"
printf -- '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' > "$tmp/ca.pem"
"$cicd" kaniko render --context 'git://gitlab.example.com/acme/shop.git#refs/heads/dev' \
  --destination registry.example.com/acme/shop:1.2.3 --destination registry.example.com/acme/shop:latest \
  --build-arg VERSION=1.2.3 --target runtime --cache --cache-repo registry.example.com/acme/shop/cache \
  --reproducible --snapshot-mode redo --ca-bundle "$tmp/ca.pem" --registry registry.example.com --username ci \
  --password-file "$tmp/pw" --name shop-build --namespace ci --cpu 1 --memory 2Gi --deadline 3600 --job > "$tmp/job.yaml"
cmp "$tmp/job.yaml" "$data/golden_kaniko_job.yaml" || fail "job rendering differs from golden_kaniko_job.yaml"

# the same password from the environment gives the same Secret; the JSON List has 2 items without a CA
KANIKO_PW=s3cr3t "$cicd" kaniko render --context dir:///workspace --destination r.example/x:1 --registry r.example \
  --username u --password-env KANIKO_PW --format json > "$tmp/out.json"
python3 - "$tmp/out.json" <<'PY'
import base64, json, sys
doc = json.load(open(sys.argv[1]))
assert [i["kind"] for i in doc["items"]] == ["Secret", "Pod"]
cfg = json.loads(base64.b64decode(doc["items"][0]["data"][".dockerconfigjson"]))
assert cfg == {"auths": {"r.example": {"username": "u", "password": "s3cr3t", "auth": base64.b64encode(b"u:s3cr3t").decode()}}}, cfg
pod = doc["items"][1]
assert "s3cr3t" not in json.dumps(pod)
assert pod["spec"]["containers"][0]["args"] == ["--context=dir:///workspace", "--destination=r.example/x:1"]
PY

set +e
"$cicd" kaniko render --destination r/x:1 > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 1 ] || fail "missing context should exit 1, got $rc"
[ "$(cat "$tmp/err")" = "cicd: kaniko build: a context is required" ] || fail "message: $(cat "$tmp/err")"
"$cicd" kaniko render --context . --destination r/x:1 --registry r --username u 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "registry without password should exit 2, got $rc"
"$cicd" kaniko render --context . --destination r/x:1 --registry r --username u --password-env NOPE_NOT_SET 2>/dev/null
[ $? -eq 1 ] || fail "unset password variable should exit 1"
"$cicd" kaniko build 2>/dev/null; [ $? -eq 2 ] || fail "unknown subcommand should exit 2"
echo ok
