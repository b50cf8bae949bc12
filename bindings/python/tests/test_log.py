"""log: set_log_handler and log_to, fed by the kube client's retries against a closed local port
(DEBUG lines) and its per-request TRACE lines; handler references, exceptions, threads, secrets."""
import gc
import logging
import sys
import threading
import weakref

import pytest

import cicd

# Every request to this server is refused and retried; the client logs each retry at DEBUG.
CLOSED = """apiVersion: v1
kind: Config
current-context: closed
clusters:
- name: closed
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: alice
  user: {token: s3cr3t-token-value}
contexts:
- name: closed
  context: {cluster: closed, user: alice}
"""

# Discovery asks /api and /apis in parallel, so their lines may interleave: compare sorted.
RETRIES = ["kube: GET /api: Couldn't connect to server; retrying",
           "kube: GET /apis: Couldn't connect to server; retrying"]


def fail_once(retries: int = 1) -> None:
    with cicd.KubeConfig.loads(CLOSED, "closed.yaml") as cfg, cicd.KubeClient(cfg, max_retries=retries) as client:
        with pytest.raises(cicd.HTTPError) as e:
            client.get("v1", "ConfigMap", "settings", namespace="default")
    assert e.value.message.startswith("GET https://127.0.0.1:1/")


@pytest.fixture(autouse=True)
def logging_off():
    yield
    cicd.set_log_handler(None)


def test_levels():
    assert [(int(x), str(x)) for x in cicd.LogLevel] == [
        (0, "none"), (1, "error"), (2, "warn"), (3, "info"), (4, "debug"), (5, "trace")]
    with pytest.raises(ValueError):
        cicd.set_log_handler(print, 9)
    with pytest.raises(TypeError, match="the log handler must be callable or None"):
        cicd.set_log_handler("print")  # type: ignore[arg-type]
    assert cicd.log_handler() is None


def test_retries_arrive_and_turning_off_stops_them():
    lines = []
    cicd.set_log_handler(lambda level, message: lines.append((level, message)), cicd.LogLevel.DEBUG)
    fail_once(retries=2)
    assert all(type(level) is cicd.LogLevel and level == cicd.LogLevel.DEBUG for level, _ in lines)
    assert sorted(m for _, m in lines) == sorted(RETRIES * 2)

    lines.clear()
    cicd.set_log_handler(lambda level, message: lines.append((level, message)), cicd.LogLevel.INFO)
    fail_once()
    assert lines == []  # retries are below INFO
    cicd.set_log_handler(None)
    fail_once()
    assert lines == []
    cicd.set_log_handler(lambda level, message: lines.append((level, message)), cicd.LogLevel.NONE)
    assert cicd.log_handler() is None
    fail_once()
    assert lines == []


def test_lines_arrive_on_the_thread_that_logs_with_the_gil_released():
    seen = []
    cicd.set_log_handler(lambda level, message: seen.append(threading.get_ident()))
    workers = [threading.Thread(target=fail_once) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(seen) == 6
    assert set(seen) == {w.ident for w in workers}


def test_trace_lines_and_the_token_never_logged():
    lines = []
    cicd.set_log_handler(lambda level, message: lines.append((level, message)), cicd.LogLevel.TRACE)
    fail_once()
    traces = [m for level, m in lines if level == cicd.LogLevel.TRACE]
    assert len(traces) == 4 and len(lines) == 6
    assert all(m.startswith(("kube: GET /api -> 0 (", "kube: GET /apis -> 0 (")) for m in traces)
    assert not [m for _, m in lines if "s3cr3t" in m]


def test_log_to_a_logger_maps_levels(caplog):
    logger = logging.getLogger("cicd.test.levels")
    logger.setLevel(logging.DEBUG)
    with caplog.at_level(logging.DEBUG, logger="cicd.test.levels"):
        cicd.log_to(logger)
        fail_once()
    records = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    assert sorted(records) == sorted(("cicd.test.levels", logging.DEBUG, m) for m in RETRIES)

    # The logger's level decides what the library produces: at 5 the TRACE lines come too, as level 5.
    caplog.clear()
    logger.setLevel(5)
    with caplog.at_level(5, logger="cicd.test.levels"):
        cicd.log_to("cicd.test.levels")
        fail_once()
    assert sorted(r.levelno for r in caplog.records) == [5, 5, 5, 5, logging.DEBUG, logging.DEBUG]

    # At INFO the library is not even asked for its DEBUG lines.
    caplog.clear()
    logger.setLevel(logging.INFO)
    cicd.log_to(logger)
    assert cicd.log_handler() is not None
    fail_once()
    assert caplog.records == []
    cicd.log_to(None)
    assert cicd.log_handler() is None


def test_an_exception_in_the_handler_stays_out_of_the_library(monkeypatch):
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append((u.exc_type, str(u.exc_value), u.object)))
    calls = []

    def broken(level, message):
        calls.append(message)
        raise RuntimeError("handler failed")

    cicd.set_log_handler(broken)
    fail_once()  # the call still fails with its own error, not the handler's
    assert len(calls) == 2
    assert reported == [(RuntimeError, "handler failed", broken)] * 2


class Handler:
    def __init__(self):
        self.lines = []

    def __call__(self, level, message):
        self.lines.append(message)


def test_the_handler_lives_while_installed_and_is_released_after():
    h = Handler()
    ref = weakref.ref(h)
    cicd.set_log_handler(h)
    assert cicd.log_handler() is h
    del h
    gc.collect()
    assert ref() is not None
    fail_once()
    assert sorted(ref().lines) == sorted(RETRIES)

    # Replacing releases the old handler; so does turning off.
    second = Handler()
    ref2 = weakref.ref(second)
    cicd.set_log_handler(second)
    gc.collect()
    assert ref() is None
    del second
    cicd.set_log_handler(None)
    gc.collect()
    assert ref2() is None


def test_lines_hold_no_references():
    h = Handler()
    cicd.set_log_handler(h, cicd.LogLevel.TRACE)
    before = (sys.getrefcount(h), sys.getrefcount(cicd.LogLevel.TRACE), sys.getrefcount(cicd.LogLevel.DEBUG))
    fail_once(retries=2)
    assert len(h.lines) == 10
    after = (sys.getrefcount(h), sys.getrefcount(cicd.LogLevel.TRACE), sys.getrefcount(cicd.LogLevel.DEBUG))
    assert after == before
