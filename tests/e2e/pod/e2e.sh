#!/usr/bin/env bash
# The rendered objects on a real control plane (KUBECONFIG and CICD_K8S_BIN from the test
# environment's env file): the real kube-apiserver accepts the job's Secrets and Pod and the Kaniko
# Job; kwok runs the Pod; failure reasons are read from Pod status as the API returns it.
#   tests/e2e/pod/e2e.sh CICD_BINARY SOURCE_DIR
set -euo pipefail
cicd=$1
src=$2
data=$src/tests/unit/pod/data
kubectl="$CICD_K8S_BIN/kubectl"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
check() { # check NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "PASS $name"; else failed=$((failed + 1)); echo "FAIL $name"; fi
}
# waits up to 60 s for a jsonpath of a pod to equal a value
wait_pod() { # wait_pod NS NAME JSONPATH VALUE
  local i
  for i in $(seq 1 120); do
    [ "$("$kubectl" -n "$1" get pod "$2" -o jsonpath="$3" 2>/dev/null)" = "$4" ] && return 0
    sleep 0.5
  done
  return 1
}

"$kubectl" create namespace ci >/dev/null
"$kubectl" -n ci create serviceaccount ci-jobs >/dev/null
"$kubectl" -n ci create configmap ca-bundle --from-literal=ca.crt=x >/dev/null

# 1. a job with services, secret and file variables, registry credentials
"$cicd" pod render --job "$data/job_basic.json" --runner "$data/runner_basic.yml" > "$tmp/basic.yaml"
check "kube-apiserver accepts the job's Secrets and Pod" "$kubectl" apply -f "$tmp/basic.yaml" -o name
pod=runner-abcd1234-project-17-concurrent-0-npua6iqf
check "the Pod runs (all containers ready)" wait_pod ci "$pod" '{.status.phase}' Running
"$kubectl" -n ci get pod "$pod" -o json > "$tmp/running.json"
check "a running Pod shows no failure" test "$("$cicd" pod failure "$tmp/running.json")" = none
check "the Pod spec holds no secret value" \
  bash -c "! grep -q -e sup3r-s3cret-key -e not-masked-but-private -e JobTokenSecretValue1 '$tmp/running.json'"
"$kubectl" -n ci get secret "$pod-secrets" -o jsonpath='{.data.env-API_KEY}' > "$tmp/key.b64"
check "the Secret holds the masked variable" test "$(base64 -d "$tmp/key.b64")" = sup3r-s3cret-key
check "the registry Secret is a dockerconfigjson" \
  test "$("$kubectl" -n ci get secret "$pod-registry" -o jsonpath='{.type}')" = kubernetes.io/dockerconfigjson

# 2. an image that cannot be pulled: ImagePullBackOff, classified from the registry's message
sed 's/"node:20-alpine"/"registry.example.com\/doesnotexist:1"/' "$data/job_basic.json" > "$tmp/badimage.json"
"$cicd" pod render --job "$tmp/badimage.json" --runner "$data/runner_basic.yml" --suffix bad1 > "$tmp/bad.yaml"
check "kube-apiserver accepts the Pod with a missing image" "$kubectl" apply -f "$tmp/bad.yaml" -o name
badpod=runner-abcd1234-project-17-concurrent-0-bad1
check "the build container waits in ImagePullBackOff" \
  wait_pod ci "$badpod" '{.status.containerStatuses[?(@.name=="build")].state.waiting.reason}' ImagePullBackOff
"$kubectl" -n ci get pod "$badpod" -o json > "$tmp/bad.json"
want='runner_configuration_error: the image "registry.example.com/doesnotexist:1" of container "build" could not be pulled: Back-off pulling image "registry.example.com/doesnotexist:1": ErrImagePull: failed to pull and unpack image "registry.example.com/doesnotexist:1": not found'
check "cicd pod failure names the image and the reason" test "$("$cicd" pod failure "$tmp/bad.json")" = "$want"

# 3. per-job overwrites within the runner's caps land in the namespace they asked for
"$kubectl" create namespace ci-feature-12 >/dev/null
"$kubectl" -n ci-feature-12 create serviceaccount ci-deployer >/dev/null
"$cicd" pod render --job "$data/job_overwrites.json" --runner "$data/runner_caps.yml" > "$tmp/over.yaml"
check "kube-apiserver accepts the overwritten Pod" "$kubectl" apply -f "$tmp/over.yaml" -o name
check "the overwritten Pod gets its node selector and limits" test \
  "$("$kubectl" -n ci-feature-12 get pod runner-zz99yy88-project-9-concurrent-0-ib3vlgpm \
     -o jsonpath='{.spec.nodeSelector.kubernetes\.io/arch} {.spec.containers[0].resources.limits.cpu}')" = "arm64 2"

# 4. a Kaniko build as a Job: the Job controller makes its Pod
printf 's3cr3t\n' > "$tmp/pw"
"$cicd" kaniko render --context 'git://example.com/acme/shop.git' --destination registry.example.com/acme/shop:1 \
  --registry registry.example.com --username ci --password-file "$tmp/pw" --name shop-build --namespace ci --job \
  > "$tmp/kaniko.yaml"
check "kube-apiserver accepts the Kaniko Secret and Job" "$kubectl" apply -f "$tmp/kaniko.yaml" -o name
ok_pod() {
  local i
  for i in $(seq 1 120); do
    [ -n "$("$kubectl" -n ci get pods -l job-name=shop-build -o name 2>/dev/null)" ] && return 0
    sleep 0.5
  done
  return 1
}
check "the Job controller creates the build Pod" ok_pod

echo "pod e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
