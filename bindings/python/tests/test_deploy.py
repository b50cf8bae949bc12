"""deploy: DeployStore (targets, push, versions, diffs, jobs, cancel, logs, worker, settings,
history) on a SQLite store, with a target whose cluster cannot be reached; errors; ownership."""
import os
import threading

import pytest

import cicd

APP = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "web:1"}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  mode: one
"""
SECRET = "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: web-secret\nstringData:\n  password: hunter2-very-secret\n"
# A cluster on a port nothing listens on: jobs fail fast with cluster_unreachable.
KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
users: [{name: u, user: {token: t}}]
"""


@pytest.fixture
def store(tmp_path):
    (tmp_path / "v1").mkdir()
    (tmp_path / "v1" / "app.yaml").write_text(APP)
    (tmp_path / "kube.conf").write_text(KUBECONFIG)
    with cicd.DeployStore(tmp_path / "data" / "store.db") as s:
        s.add_target("dev", namespace="demo", kubeconfig=tmp_path / "kube.conf", context="x")
        yield s


def test_default_location_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CICD_STORE", str(tmp_path / "x.db"))
    assert cicd.DeployStore.default_location() == str(tmp_path / "x.db")


def test_targets(store, tmp_path):
    [t] = store.targets()
    assert (t["name"], t["namespace"], t["context"], t["in_cluster"]) == ("dev", "demo", "x", False)
    assert t["kubeconfig"] == str(tmp_path / "kube.conf")
    with pytest.raises(cicd.ExistsError) as ei:
        store.add_target("dev", namespace="demo")
    assert ei.value.message == "target 'dev' already exists"
    store.add_target("incluster", namespace="prod", in_cluster=True)
    assert [t["in_cluster"] for t in store.targets()] == [False, True]
    store.remove_target("incluster")
    with pytest.raises(cicd.NotFoundError) as ei:
        store.remove_target("nope")
    assert ei.value.message == "unknown target 'nope'"


def test_push_versions_and_diffs(store, tmp_path):
    v1 = store.push("shop/web", tmp_path / "v1", who="me", commit="abc123", pipeline="77")
    assert (v1["number"], v1["objects"], v1["existed"], v1["commit"], v1["pipeline"], v1["who"]) == (
        1, 2, False, "abc123", "77", "me")
    assert len(v1["hash"]) == 64
    assert store.push("shop/web", [tmp_path / "v1" / "app.yaml"])["existed"] is True
    v2 = store.push_text("shop/web", APP.replace("web:1", "web:2") + SECRET, "v2.yaml")
    assert (v2["number"], v2["objects"]) == (2, 3)
    assert [v["number"] for v in store.versions("shop/web")] == [2, 1]
    text = store.diff_versions("shop/web@1", "shop/web@2")
    assert "web:2" in text and "web-secret" in text and "hunter2" not in text
    as_json = store.diff_versions("shop/web@1", "shop/web@2", format="json")
    assert "hunter2" not in str(as_json) and as_json
    with pytest.raises(cicd.ValidationError) as ei:
        store.push_text("shop/web", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n", "bad.yaml")
    assert (ei.value.file, ei.value.line, ei.value.column) == ("bad.yaml", 4, 9)
    assert ei.value.message.startswith('metadata.name: invalid value "Bad_Name"')
    assert len(store.versions("shop/web")) == 2  # nothing stored
    with pytest.raises(cicd.NotFoundError) as ei:
        store.versions("shop/api")
    assert ei.value.message == "unknown resource set 'shop/api'"
    with pytest.raises(cicd.InvalidArgumentError) as ei:
        store.diff_versions("shop/web@1", "@2")
    assert ei.value.message == "'' is not PROJECT/SET"
    store.set_prune("shop/web", True)
    with pytest.raises(ValueError):
        store.diff_versions("shop/web@1", "shop/web@2", format="xml")


def test_jobs_queue_cancel_run_logs_worker(store, tmp_path):
    store.push("shop/web", tmp_path / "v1")
    with pytest.raises(cicd.NotFoundError) as ei:
        store.run("shop/web@9", "dev")
    assert ei.value.message == "unknown version '9' of 'shop/web'"
    with pytest.raises(cicd.NotFoundError) as ei:
        store.run("shop/web@1", "qa")
    assert ei.value.message == "unknown target 'qa'"
    job = store.run("shop/web@1", "dev", who="me")
    assert job == 1 and store.job_state(job) == "queued"
    with pytest.raises(cicd.ConflictError) as ei:
        store.run("shop/web@1", "dev", no_queue=True)
    assert ei.value.message == "target 'dev' is busy (1 jobs queued or running) and queueing was refused"
    store.cancel(job, "me")
    assert store.job_state(job) == "canceled"
    with pytest.raises(cicd.ConflictError) as ei:
        store.cancel(job)
    assert ei.value.message == "deploy job 1 is canceled: a finished job cannot be canceled"
    seen = []
    waited = store.run("shop/web@1", "dev", wait=True, timeout_ms=2000, progress=lambda *a: seen.append(a))
    detail = store.job(waited)
    assert (store.job_state(waited), detail["state"], detail["reason"]) == ("failed", "failed", "cluster_unreachable")
    assert seen and seen[0][1].startswith("deploying shop/web version 1 (") and isinstance(seen[0][2], dict)
    lines, last = store.log(waited)
    assert [l.seq for l in lines] == list(range(1, last + 1)) and lines[-1].message.startswith("job failed: cluster_unreachable")
    assert store.log(waited, after=last) == ([], last)
    rest, last2 = store.follow(waited, after=1, poll_ms=10)  # the job has ended: returns at once
    assert [l.seq for l in rest] == list(range(2, last + 1)) and last2 == last
    assert [j["id"] for j in store.jobs("dev", 1)] == [waited] and len(store.jobs()) == 2
    with pytest.raises(cicd.HTTPError):
        store.diff_live("shop/web@1", "dev")
    queued = store.rollback("shop/web", "dev", "1", who="me", timeout_ms=2000)
    assert store.job_state(queued) == "queued"
    with pytest.raises(ZeroDivisionError):  # the progress callable's exception, after the worker returned
        store.run_worker(until_idle=True, poll_ms=10, progress=lambda *a: 1 / 0)
    assert store.job_state(queued) == "failed"
    with pytest.raises(cicd.NotFoundError) as ei:
        store.job(99)
    assert ei.value.message == "unknown deploy job 99"


def test_settings_history_and_target_removal(store, tmp_path):
    store.push("shop/web", tmp_path / "v1")
    for _ in range(3):
        store.cancel(store.run("shop/web@1", "dev"))
    assert store.prune_history(1) == 2 and len(store.jobs("dev")) == 1
    store.set_setting("history_keep", "5")
    with pytest.raises(cicd.InvalidArgumentError) as ei:
        store.set_setting("nope", "5")
    assert ei.value.message == "unknown deploy setting 'nope' (known: history_keep)"
    with pytest.raises(cicd.ConflictError) as ei:
        store.remove_target("dev")
    assert ei.value.message == "target 'dev' has 1 deploy jobs in its history"


def test_store_is_serialized_between_threads_and_closes(tmp_path):
    s = cicd.DeployStore(tmp_path / "s.db")
    errors = []

    def add(i):
        try:
            s.add_target(f"t{i}", namespace="n")
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(s.targets()) == 8
    s.close()
    s.close()
    with pytest.raises(ValueError, match="deploy store is closed"):
        s.targets()
    with pytest.raises(cicd.StoreError):
        cicd.DeployStore("postgresql://nobody@127.0.0.1:1/none")
    assert os.path.exists(tmp_path / "s.db")
