"""kube: KubeConfig (load of merged generated kubeconfig files, loads, contexts, namespaces,
errors with positions), rollout_decide and pod_problem on object JSON, KubeClient creation and its
error path against a closed local port (no control plane here)."""
import json

import pytest

import cicd

FIRST = """apiVersion: v1
kind: Config
clusters:
- name: shared
  cluster:
    server: https://first.example:6443
users:
- name: alice
  user:
    token: s3cr3t-token-value
contexts:
- name: one
  context: {cluster: shared, user: alice, namespace: team-a}
- name: closed
  context: {cluster: closed, user: alice}
"""

SECOND = """apiVersion: v1
kind: Config
current-context: two
clusters:
- name: shared
  cluster: {server: https://ignored.example}
- name: other
  cluster: {server: https://other.example}
- name: closed
  cluster: {server: https://127.0.0.1:1}
users:
- name: bob
  user: {}
contexts:
- name: two
  context: {cluster: other, user: bob}
- name: one
  context: {cluster: other, user: bob, namespace: ignored}
"""


@pytest.fixture
def kubeconfig(tmp_path):
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    first.write_text(FIRST)
    second.write_text(SECOND)
    return [first, second]


def test_merged_files_first_entry_wins(kubeconfig, tmp_path):
    with cicd.KubeConfig.load(kubeconfig, in_cluster=False) as cfg:
        assert (cfg.context, cfg.server, cfg.namespace, cfg.auth_kind) == (
            "two", "https://other.example", "default", "none")
    with cicd.KubeConfig.load(kubeconfig, context="one", in_cluster=False) as cfg:
        assert (cfg.context, cfg.server, cfg.namespace, cfg.auth_kind) == (
            "one", "https://first.example:6443", "team-a", "token")
    # a ':'-separated list with a missing file is what kubectl accepts too
    joined = f"{tmp_path / 'missing.yaml'}:{kubeconfig[0]}:{kubeconfig[1]}"
    with cicd.KubeConfig.load(joined, context="one", namespace="override", in_cluster=False) as cfg:
        assert (cfg.context, cfg.namespace) == ("one", "override")


def test_unknown_context_and_no_current_context(kubeconfig):
    with pytest.raises(cicd.NotFoundError) as e:
        cicd.KubeConfig.load(kubeconfig, context="nope", in_cluster=False)
    assert e.value.message == "context 'nope' not found"
    with pytest.raises(cicd.NotFoundError) as e:
        cicd.KubeConfig.load(kubeconfig[0], in_cluster=False)
    assert e.value.message == "no current-context is set and no context was chosen"


def test_loads_and_errors_with_positions(tmp_path):
    with cicd.KubeConfig.loads(SECOND, "inline.yaml") as cfg:
        assert (cfg.context, cfg.server) == ("two", "https://other.example")
    with pytest.raises(cicd.ParseError) as e:
        cicd.KubeConfig.loads("clusters: 5\n", "inline.yaml")
    assert (e.value.message, e.value.file, e.value.line, e.value.column) == (
        "'clusters' must be a list", "inline.yaml", 1, 11)
    bad = tmp_path / "bad.yaml"
    bad.write_text("clusters:\n- name: c\n  cluster:\n    server: https://c\n    certificate-authority-data: '%%%'\n"
                   "contexts:\n- name: c\n  context: {cluster: c}\ncurrent-context: c\n")
    with pytest.raises(cicd.ParseError) as e:
        cicd.KubeConfig.load(bad, in_cluster=False)
    assert (e.value.message, e.value.file, e.value.line) == (
        "'certificate-authority-data' is not valid base64", str(bad), 5)
    with pytest.raises(cicd.ParseError) as e:
        cicd.KubeConfig.loads(b"- a\n- b\n")
    assert e.value.message == "a kubeconfig must be a mapping"


def test_secret_token_never_in_errors(kubeconfig):
    text = FIRST.replace("namespace: team-a}", "namespace: team-a}\ncurrent-context: one\n").replace(
        "users:", "users: 7\nx:")
    with pytest.raises(cicd.Error) as e:
        cicd.KubeConfig.loads(text, "t.yaml")
    assert "s3cr3t-token-value" not in str(e.value)


def deploy(status, gen=2):
    return json.dumps({"kind": "Deployment", "metadata": {"name": "web", "generation": gen},
                       "spec": {"replicas": 3}, "status": {"observedGeneration": 2, **status}})


def test_rollout_decide_follows_kubectl():
    assert cicd.rollout_decide(deploy({"updatedReplicas": 1, "replicas": 3})) == (
        "progressing", 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...')
    assert cicd.rollout_decide(deploy({"updatedReplicas": 3, "replicas": 3, "availableReplicas": 3})) == (
        "done", 'deployment "web" successfully rolled out')
    failed = deploy({"conditions": [{"type": "Progressing", "status": "False",
                                     "reason": "ProgressDeadlineExceeded"}]})
    with cicd.Document.load_json(failed) as doc:
        assert cicd.rollout_decide(doc.root(0)) == ("failed", 'deployment "web" exceeded its progress deadline')
    with pytest.raises(cicd.UnsupportedError) as e:
        cicd.rollout_decide('{"kind":"ConfigMap","metadata":{"name":"c"}}')
    assert e.value.message == "no rollout status for kind ConfigMap"
    with pytest.raises(cicd.InvalidArgumentError):
        cicd.rollout_decide("[1]")
    with pytest.raises(cicd.ParseError):
        cicd.rollout_decide("{")


def test_pod_problem_names_the_cause():
    crash = {"metadata": {"name": "web-1"}, "status": {"phase": "Running", "containerStatuses": [
        {"name": "ok", "state": {"running": {}}},
        {"name": "app", "restartCount": 4, "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}},
         "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}
    assert cicd.pod_problem(json.dumps(crash)) == (
        'CrashLoopBackOff: pod "web-1" container "app" keeps crashing (restarted 4 times, last exit code 1 Error)',
        "app")
    pull = {"metadata": {"name": "web-1"}, "status": {"phase": "Pending", "containerStatuses": [
        {"name": "app", "image": "r/doesnotexist:1",
         "state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image"}}}]}}
    assert cicd.pod_problem(json.dumps(pull)) == (
        'ImagePullBackOff: pod "web-1" container "app" cannot pull image "r/doesnotexist:1": Back-off pulling image',
        "")
    starting = {"metadata": {"name": "web-1"}, "status": {"phase": "Pending", "containerStatuses": [
        {"name": "app", "state": {"waiting": {"reason": "ContainerCreating"}}}]}}
    assert cicd.pod_problem(json.dumps(starting)) is None


def test_client_against_a_closed_port(kubeconfig):
    with cicd.KubeConfig.load(kubeconfig, context="closed", in_cluster=False) as cfg:
        client = cicd.KubeClient(cfg, max_retries=-1, connect_timeout_ms=2000, timeout_ms=5000)
    with client:
        assert client.namespace == "default"
        with pytest.raises(cicd.HTTPError) as e:
            client.get("v1", "ConfigMap", "settings")
        # discovery comes first; libcurl's text names the refusal ("after N ms" varies)
        assert e.value.message.startswith("GET https://127.0.0.1:1/apis: Failed to connect to 127.0.0.1 port 1 ")
        assert e.value.message.endswith(": Couldn't connect to server")
        assert "s3cr3t-token-value" not in str(e.value)
    with pytest.raises(ValueError, match="kube client is closed"):
        client.get("v1", "ConfigMap", "settings")
