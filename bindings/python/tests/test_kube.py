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


REFUSED_PREFIX = "GET https://127.0.0.1:1/apis: Failed to connect to 127.0.0.1 port 1 after "
REFUSED_SUFFIX = " ms: Couldn't connect to server"


def refused(e, prefix=""):
    """libcurl's text names the refusal; "after N ms" varies."""
    message = e.value.message if hasattr(e, "value") else e.message
    assert message.startswith(prefix + REFUSED_PREFIX), message
    assert message.endswith(REFUSED_SUFFIX), message
    assert "s3cr3t-token-value" not in str(message)
    return True


@pytest.fixture
def closed(kubeconfig):
    with cicd.KubeConfig.load(kubeconfig, context="closed", in_cluster=False) as cfg:
        client = cicd.KubeClient(cfg, max_retries=-1, connect_timeout_ms=2000, timeout_ms=5000)
    yield client
    client.close()


CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"


def test_client_against_a_closed_port(closed):
    client = closed
    assert client.namespace == "default"
    # every call that reaches the server starts with discovery, refused here
    calls = [
        lambda: client.resolve("deploy"),
        lambda: client.get("v1", "ConfigMap", "settings"),
        lambda: client.list("v1", "ConfigMap", label_selector="a=b", page_size=1, all_namespaces=True),
        lambda: client.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}),
        lambda: client.delete("v1", "ConfigMap", "a", propagation="orphan", grace_period_seconds=0, dry_run=True),
        lambda: client.watch("v1", "ConfigMap", resource_version="5", label_selector="a=b"),
        lambda: client.logs(None, "pod", container="app", tail_lines=3, timestamps=True),
        lambda: client.rollout_wait("apps/v1", "Deployment", "web", timeout_ms=1000),
    ]
    for call in calls:
        with pytest.raises(cicd.HTTPError) as e:
            call()
        assert refused(e)
    # apply names the object first
    with pytest.raises(cicd.HTTPError) as e:
        client.apply(CM, field_manager="me", force=True, namespace="x")
    assert refused(e, "ConfigMap a: ")
    client.close()
    for call in calls + [client.cancel, client.cancel_clear, lambda: client.namespace]:
        with pytest.raises(ValueError, match="^kube client is closed$"):
            call()
    client.close()  # twice is fine


def test_apply_set_reports_every_object_and_raises_the_first_failure(closed, tmp_path):
    seen = []
    path = tmp_path / "more.yaml"
    path.write_text("apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: n}\n")
    with pytest.raises(cicd.HTTPError) as e:
        closed.apply_set([CM, "- not an object\n", path], on_result=seen.append)
    assert refused(e, "ConfigMap a: ")
    results = e.value.results
    assert seen == results
    # in the order given within a rank (the object that is none ranks with the ConfigMap)
    assert [r[:5] for r in results] == [("v1", "ConfigMap", "", "a", None), ("", "", "", "", None),
                                        ("v1", "Secret", "", "s", None)]  # kind not resolved: no namespace
    assert [(r.file, r.line) for r in results] == [("documents[0]", 1), ("documents[1]", 1), (str(path), 1)]
    assert isinstance(results[0].error, cicd.HTTPError) and refused(results[0].error, "ConfigMap a: ")
    assert isinstance(results[1].error, cicd.InvalidArgumentError)
    assert results[1].error.message == "an object must be a mapping"
    assert isinstance(results[2].error, cicd.HTTPError) and refused(results[2].error, "Secret s: ")
    # a single text, a dict and a Document are documents too
    with cicd.Document.load(CM) as doc:
        for docs in (CM, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}, doc, [doc, CM]):
            with pytest.raises(cicd.HTTPError) as e:
                closed.apply_set(docs, dry_run=True, wait_established_ms=10)
            assert [r.name for r in e.value.results] == ["a"] * (2 if isinstance(docs, list) else 1)
    with cicd.ManifestSet() as ms:
        ms.add(CM + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n", "set.yaml")
        with pytest.raises(cicd.HTTPError) as e:
            closed.apply_manifests(ms, field_manager="me")
        # sorted for applying, the Namespace first; its failure keeps the later ranks from being sent
        assert [(r.kind, r.file, r.line) for r in e.value.results] == [("Namespace", "set.yaml", 5)]
        assert [m.kind for m in ms] == ["Namespace", "ConfigMap"]
    with pytest.raises(TypeError, match="^expected a Document, a dict, a path or YAML/JSON text, not int$"):
        closed.apply_set([5])
    assert closed.apply_set([]) == []


def test_a_callback_that_raises_stops_the_call(closed):
    class Stop(Exception):
        pass

    def on_result(r):
        raise Stop(r.name)

    with pytest.raises(Stop, match="^a$"):
        closed.apply_set([CM, CM.replace("name: a", "name: b")], on_result=on_result)

    # a callback must not call its own client: the C client runs one call at a time
    def reenter(r):
        closed.get("v1", "ConfigMap", "a")

    with pytest.raises(RuntimeError, match="^a KubeClient cannot be called from one of its own callbacks$"):
        closed.apply_set(CM, on_result=reenter)
    with pytest.raises(cicd.HTTPError):  # and the client is still usable
        closed.get("v1", "ConfigMap", "a")


def test_argument_errors_before_any_request(closed):
    with pytest.raises(cicd.ParseError) as e:
        closed.create("{")
    assert (e.value.message, e.value.file, e.value.line, e.value.column) == ("parse error: premature EOF",
                                                                             "<object>", 1, 2)
    with pytest.raises(cicd.InvalidArgumentError) as e:
        closed.create(b'{"apiVersion": "v1", "kind": "ConfigMap"}')
    assert (e.value.message, e.value.file, e.value.line, e.value.column) == ("ConfigMap has no metadata.name",
                                                                             "<object>", 1, 1)
    with pytest.raises(cicd.InvalidArgumentError) as e:
        closed.apply("- 1\n")
    assert (e.value.message, e.value.file, e.value.line, e.value.column) == ("an object must be a mapping",
                                                                             "object", 1, 1)
    with pytest.raises(cicd.InvalidArgumentError) as e:
        closed.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}})
    assert e.value.message == "ConfigMap has no metadata.name"
    with pytest.raises(ValueError, match="^apply takes one object, the text has 2 documents$"):
        closed.apply(CM + "---\n" + CM)
    with pytest.raises(TypeError, match="^expected a Node, a dict or YAML/JSON text, not int$"):
        closed.apply(5)
    with pytest.raises(ValueError, match="^propagation must be background, foreground or orphan, not 'later'$"):
        closed.delete("v1", "ConfigMap", "a", propagation="later")
    with pytest.raises(ValueError, match="^grace_period_seconds must be >= 0, not -2$"):
        closed.delete("v1", "ConfigMap", "a", grace_period_seconds=-2)
    with pytest.raises(ValueError, match="^tail_lines must be >= 0 or None, not -1$"):
        closed.logs("ns", "pod", tail_lines=-1)
    # an object from a Node
    with cicd.Document.load(CM, "cm.yaml") as doc:
        with pytest.raises(cicd.HTTPError) as e:
            closed.apply(doc.root())
        assert refused(e, "ConfigMap a: ")


def test_cancel_fails_every_call_until_cleared(closed):
    closed.cancel()
    for call in (lambda: closed.get("v1", "ConfigMap", "a"), lambda: closed.list("v1", "ConfigMap"),
                 lambda: closed.logs("ns", "pod"), lambda: closed.apply(CM)):
        with pytest.raises(cicd.CanceledError) as e:
            call()
        assert e.value.code == cicd.cicd_c.CICD_ECANCELED
    closed.cancel_clear()
    with pytest.raises(cicd.HTTPError) as e:
        closed.get("v1", "ConfigMap", "a")
    assert refused(e)
