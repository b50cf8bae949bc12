"""Ctrl-C during a blocking call from the main thread: a kube request to a server that never
answers, a deploy log follow with nothing to read, a worker with nothing to do. The call is
canceled at once and what the SIGINT handler raises (KeyboardInterrupt) comes out of it, not a
CanceledError; the client or store works on. Offline."""
import os
import signal
import socket
import threading
import time

import pytest

import cicd
from test_deploy import store  # noqa: F401 - the fixture

# Well under the calls' own timeouts (30 s requests, 60 s polls); a loaded machine gets slack.
SLACK = 4.0


@pytest.fixture
def silent():
    """A client of a server that takes connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    text = (f"clusters:\n- name: s\n  cluster: {{server: 'http://127.0.0.1:{port}'}}\n"
            "contexts:\n- name: s\n  context: {cluster: s}\ncurrent-context: s\n")
    with cicd.KubeConfig.loads(text) as cfg:
        client = cicd.KubeClient(cfg, timeout_ms=30000, max_retries=-1)
    yield client
    client.close()
    listener.close()


@pytest.fixture
def sigint():
    """Python's own SIGINT handler (a test run in the background starts with SIGINT ignored), and a
    way to press Ctrl-C after a while from another thread."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timers = []

    def press(after: float) -> None:
        t = threading.Timer(after, os.kill, (os.getpid(), signal.SIGINT))
        timers.append(t)
        t.start()

    yield press
    for t in timers:
        t.join()
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_cancels_a_request_waiting_for_an_answer(silent, sigint):
    start = time.monotonic()
    sigint(0.3)
    with pytest.raises(KeyboardInterrupt):
        silent.get("v1", "ConfigMap", "c", namespace="ns")
    assert time.monotonic() - start < SLACK
    # the cancel that Ctrl-C made is cleared: the next call waits again (until its own Ctrl-C)
    sigint(0.3)
    with pytest.raises(KeyboardInterrupt):
        silent.logs("ns", "pod", follow=True, on_data=lambda chunk: None)
    assert time.monotonic() - start < 2 * SLACK


def test_a_handler_that_does_not_raise_leaves_the_canceled_error(silent, sigint):
    seen = []
    signal.signal(signal.SIGINT, lambda signum, frame: seen.append(signum))
    start = time.monotonic()
    sigint(0.3)
    with pytest.raises(cicd.CanceledError):
        silent.list("v1", "ConfigMap", namespace="ns")
    assert time.monotonic() - start < SLACK
    assert seen == [signal.SIGINT]
    silent.cancel()  # the program's own cancel is not cleared by the next call
    with pytest.raises(cicd.CanceledError):
        silent.get("v1", "ConfigMap", "c", namespace="ns")
    silent.cancel_clear()


def test_calls_from_other_threads_are_left_alone(silent, sigint):
    """Python runs signal handlers in the main thread only: Ctrl-C must not cancel another
    thread's call, which ends when its client is canceled."""
    outcome = []

    def call():
        try:
            silent.get("v1", "ConfigMap", "c", namespace="ns")
        except cicd.Error as e:
            outcome.append(type(e))

    worker = threading.Thread(target=call)
    worker.start()
    sigint(0.3)
    with pytest.raises(KeyboardInterrupt):
        time.sleep(5)
    time.sleep(0.3)
    assert worker.is_alive()
    silent.cancel()
    worker.join()
    assert outcome == [cicd.CanceledError]
    silent.cancel_clear()


def test_ctrl_c_ends_a_log_follow_and_a_worker_with_nothing_to_do(store, tmp_path, sigint):  # noqa: F811
    store.push("shop/web", tmp_path / "v1")
    head = store.run("shop/web@1", "dev")  # queued; no worker runs it
    start = time.monotonic()
    sigint(0.3)
    with pytest.raises(KeyboardInterrupt):
        store.follow(head, poll_ms=60000)
    assert time.monotonic() - start < SLACK
    store.cancel(head)
    start = time.monotonic()
    sigint(0.3)
    with pytest.raises(KeyboardInterrupt):
        store.run_worker(owner="w1", poll_ms=60000)
    assert time.monotonic() - start < SLACK
    # the interrupt is cleared: the store's blocking calls work
    assert store.follow(head, poll_ms=10)[1] >= 0
    assert store.job(head)["state"] == "canceled"
