"""deploy: DeployStore.interrupt() from another thread ends a blocked call (follow, a run waiting
for its turn, a worker) with CanceledError and its job canceled; Ctrl-C while a run's lines come
raises KeyboardInterrupt the same way; interrupt_clear(). Offline (a target whose cluster cannot be
reached), plus a live rollout wait on the control plane (skipped without one, see conftest.py)."""
import os
import signal
import threading
import time
from typing import Optional

import pytest

import cicd
from test_deploy import store  # noqa: F401 - the fixture

# The library promises about 100 ms; a loaded machine gets some slack.
SLACK = 3.0


def later(seconds: float, fn, when: Optional[dict] = None) -> dict:
    """Calls fn in another thread after a while; the dict (when, or a new one) gets the time it did."""
    when = {} if when is None else when

    def run():
        when["at"] = time.monotonic()
        fn()

    threading.Timer(seconds, run).start()
    return when


def returned_soon(when: dict) -> bool:
    return time.monotonic() - when["at"] < SLACK


def test_interrupt_ends_a_follow_a_run_waiting_for_its_turn_and_a_worker(store, tmp_path):
    store.push("shop/web", tmp_path / "v1")
    head = store.run("shop/web@1", "dev")  # queued; no worker runs it
    when = later(0.2, store.interrupt)
    with pytest.raises(cicd.CanceledError) as ei:
        store.follow(head, poll_ms=60000)
    assert returned_soon(when)
    assert ei.value.message == "interrupted while following the log of deploy job 1"
    # Sticky: a blocking call fails at once and creates nothing; others work.
    with pytest.raises(cicd.CanceledError) as ei:
        store.run("shop/web@1", "dev", wait=True)
    assert ei.value.message == "interrupted before creating the deploy job"
    assert [j["id"] for j in store.jobs()] == [head]
    store.interrupt_clear()

    when = later(0.3, store.interrupt)
    with pytest.raises(cicd.CanceledError) as ei:
        store.run("shop/web@1", "dev", wait=True, timeout_ms=60000)
    assert returned_soon(when)
    assert ei.value.message == "deploy job 2 ended canceled: interrupted while waiting for its turn"
    job = store.job(2)
    assert (job["state"], job["reason"], job["message"]) == ("canceled", "canceled",
                                                             "interrupted while waiting for its turn")
    assert store.log(2) == ([], 0)  # it never ran
    store.interrupt_clear()

    store.cancel(head)
    when = later(0.2, store.interrupt)
    with pytest.raises(cicd.CanceledError) as ei:
        store.run_worker(owner="w1", poll_ms=60000)
    assert returned_soon(when)
    assert ei.value.message == "interrupted the worker w1"
    store.interrupt_clear()
    store.interrupt_clear()  # twice is the same
    assert store.follow(head, poll_ms=10) == ([], 0)


def test_ctrl_c_while_a_runs_lines_come_cancels_its_job(store, tmp_path):
    store.push("shop/web", tmp_path / "v1")
    seen = []

    def progress(level, message, fields):
        seen.append(message)
        if len(seen) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # as a person pressing Ctrl-C

    # Python raises KeyboardInterrupt only if SIGINT was not ignored when it started (a background job's is)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            store.run("shop/web@1", "dev", wait=True, timeout_ms=60000, progress=progress)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert time.monotonic() - start < 10  # not the job's 60 s
    job = store.job(1)
    assert (job["state"], job["reason"]) == ("canceled", "canceled")
    assert job["message"] == "interrupted before step 0 (plan); 0 created, 0 configured, 0 unchanged, 0 pruned before it"
    lines, _ = store.log(1)
    assert lines[-1].message == "job canceled: canceled: " + job["message"]
    # The interrupt the signal made is cleared once the call returned.
    assert store.follow(1, poll_ms=10)[1] == lines[-1].seq


def test_interrupt_on_a_closed_store_does_nothing(tmp_path):
    s = cicd.DeployStore(tmp_path / "s.db")
    s.close()
    s.interrupt()
    s.interrupt_clear()


SLOW = """apiVersion: v1
kind: Namespace
metadata: {{name: {ns}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: slow, namespace: {ns}}}
spec:
  replicas: 1
  minReadySeconds: 3600
  progressDeadlineSeconds: 7200
  selector: {{matchLabels: {{app: slow}}}}
  template:
    metadata: {{labels: {{app: slow}}}}
    spec:
      containers: [{{name: app, image: "nginx:1.25"}}]
"""


def test_live_interrupt_ends_a_rollout_wait(plane, tmp_path):
    """A Deployment that is never available (its pods count only after an hour): interrupted
    while the job waits for it, the run raises at once and the job ends canceled."""
    ns = f"cicd-py-deploy-{os.getpid()}"
    try:
        with cicd.DeployStore(tmp_path / "store.db") as s:
            s.add_target("plane", namespace=ns, kubeconfig=plane)
            s.push_text("shop/slow", SLOW.format(ns=ns), "slow.yaml")
            when: dict = {}

            def progress(level, message, fields):
                if message == f"created Deployment {ns}/slow":
                    later(1.0, s.interrupt, when)

            with pytest.raises(cicd.CanceledError) as ei:
                s.run("shop/slow@1", "plane", wait=True, timeout_ms=600000, progress=progress)
            assert returned_soon(when)
            want = "interrupted during step 2 (wait wave 0); 2 created, 0 configured, 0 unchanged, 0 pruned before it"
            assert ei.value.message == "deploy job 1 ended canceled: " + want
            job = s.job(1)
            assert (job["state"], job["reason"], job["message"]) == ("canceled", "canceled", want)
    finally:
        with cicd.KubeConfig.load(plane, in_cluster=False) as cfg, cicd.KubeClient(cfg) as k:
            try:
                k.delete("v1", "Namespace", ns)
            except cicd.NotFoundError:
                pass
