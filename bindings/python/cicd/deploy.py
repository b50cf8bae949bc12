"""Deploys: the store of resource-set versions, targets and deploy jobs.

Listings and details come back as the library's JSON, parsed into dicts and
lists (docs/deploy.md describes the fields). Calls that wait on a cluster or
a lock release the GIL; a store is used by one thread at a time, which a
lock here enforces. Another thread may interrupt() the call that blocks
(run or rollback with wait, follow, run_worker, diff_live): it raises
CanceledError soon, and the job it was running ends canceled. Ctrl-C in
the main thread interrupts the blocked call the same way, at once, and
raises KeyboardInterrupt (what the SIGINT handler raises) once it returned.
"""
from __future__ import annotations

import json
import os
import threading
from typing import Any, Callable, Iterable, NamedTuple, Optional, Union

from . import cicd_c as _cicd
from ._errors import _check
from ._handle import Handle

Progress = Callable[[int, str, dict], None]
PathArg = Union[str, os.PathLike]


class LogLine(NamedTuple):
    seq: int
    at_ms: int
    level: int
    message: str
    fields: dict


def _progress(fn: Optional[Progress]):
    if fn is None:
        return None
    return lambda level, message, fields: fn(level, message, json.loads(fields))


class DeployStore(Handle):
    """A deploy store: a SQLite file or a postgresql:// URL (None: the default location)."""

    def __init__(self, location: Union[PathArg, None] = None, *, busy_timeout_ms: int = 0,
                 max_version_bytes: int = 0, max_version_objects: int = 0):
        self._handle = None
        self._lock = threading.RLock()
        self._life = threading.RLock()  # the handle against interrupt() from another thread (or a signal handler)
        loc = None if location is None else os.fspath(location)
        self._handle = _check(_cicd.cicd_py_deploy_store_open(loc, busy_timeout_ms, max_version_bytes,
                                                              max_version_objects))

    @staticmethod
    def default_location() -> str:
        return _check(_cicd.cicd_deploy_store_default_location())

    _what = "deploy store"

    def _call(self, fn, *args):
        with self._lock:
            return _check(fn(self._live(), *args))

    def close(self) -> None:
        with self._lock:
            if self._handle is not None:
                with self._life:
                    _cicd.cicd_deploy_store_free(self._handle)
                    self._handle = None

    def interrupt(self) -> None:
        """Makes the blocking call running on this store in another thread (run or rollback with
        wait, follow, run_worker, diff_live) raise CanceledError within about 100 ms of the cluster
        request under way. A job that call was running ends canceled ("interrupted during step 2
        (wait wave 0); 1 created, ..."), as does a job it created that was still waiting for its
        turn. Every later blocking call raises CanceledError too, until interrupt_clear(). Safe
        from any thread; does nothing on a closed store."""
        with self._life:
            if self._handle is not None:
                _cicd.cicd_deploy_store_interrupt(self._handle)

    def interrupt_clear(self) -> None:
        """Lets blocking calls run again after interrupt()."""
        with self._life:
            if self._handle is not None:
                _cicd.cicd_deploy_store_interrupt_clear(self._handle)

    # settings and history
    def set_setting(self, key: str, value: str) -> None:
        self._call(_cicd.cicd_deploy_setting_set, key, value)

    def prune_history(self, keep: int) -> int:
        """Deletes finished jobs beyond the newest `keep` per target; returns how many."""
        return self._call(_cicd.cicd_py_deploy_history_prune, keep)

    # targets
    def add_target(self, name: str, *, namespace: str, kubeconfig: Optional[PathArg] = None,
                   context: Optional[str] = None, in_cluster: bool = False) -> None:
        kc = None if kubeconfig is None else os.fspath(kubeconfig)
        self._call(_cicd.cicd_py_deploy_target_add, name, kc, context, 1 if in_cluster else 0, namespace)

    def remove_target(self, name: str) -> None:
        self._call(_cicd.cicd_deploy_target_remove, name)

    def targets(self) -> list[dict]:
        return json.loads(self._call(_cicd.cicd_deploy_targets_json))

    # versions
    def push(self, project_set: str, paths: Union[PathArg, Iterable[PathArg]], *, who: Optional[str] = None,
             commit: Optional[str] = None, pipeline: Optional[str] = None, recursive: bool = False) -> dict:
        """Pushes manifests as a version of "PROJECT/SET"; ValidationError with the position on bad input."""
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        encoded = [os.fsencode(p) for p in paths]
        return json.loads(self._call(_cicd.cicd_py_deploy_push, project_set, encoded, None, None, who, commit,
                                     pipeline, 1 if recursive else 0))

    def push_text(self, project_set: str, text: Union[str, bytes], name: Optional[str] = None, *,
                  who: Optional[str] = None, commit: Optional[str] = None, pipeline: Optional[str] = None) -> dict:
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        return json.loads(self._call(_cicd.cicd_py_deploy_push, project_set, None, data, name, who, commit,
                                     pipeline, 0))

    def versions(self, project_set: str) -> list[dict]:
        return json.loads(self._call(_cicd.cicd_deploy_versions_json, project_set))

    def set_prune(self, project_set: str, prune: bool) -> None:
        self._call(_cicd.cicd_deploy_set_prune, project_set, 1 if prune else 0)

    def diff_versions(self, from_ref: str, to_ref: str, *, format: str = "text") -> Any:
        """The change from "P/S@A" to "P/S@B": text, or the parsed JSON with format="json"."""
        kinds = {"text": _cicd.CICD_DEPLOY_DIFF_TEXT, "json": _cicd.CICD_DEPLOY_DIFF_JSON}
        if format not in kinds:
            raise ValueError(f"format must be text or json, not {format!r}")
        out = self._call(_cicd.cicd_deploy_diff_versions, from_ref, to_ref, kinds[format])
        return json.loads(out) if format == "json" else out

    def diff_live(self, ref: str, target: str) -> list[dict]:
        """What deploying ref to target would change (a server-side dry run)."""
        return json.loads(self._call(_cicd.cicd_py_deploy_diff_live, ref, target))

    # jobs
    def run(self, ref: str, target: str, *, who: Optional[str] = None, prune: bool = False, timeout_ms: int = 0,
            wait: bool = False, no_queue: bool = False, lease_ttl_ms: int = 0, owner: Optional[str] = None,
            progress: Optional[Progress] = None) -> int:
        """Creates a deploy job and returns its id; wait=True runs it here until it ends."""
        return self._call(_cicd.cicd_py_deploy_run, ref, None, target, None, who, 1 if prune else 0, timeout_ms,
                          1 if wait else 0, 1 if no_queue else 0, lease_ttl_ms, owner, _progress(progress))

    def rollback(self, project_set: str, target: str, to_version: Optional[str] = None, *, who: Optional[str] = None,
                 prune: bool = False, timeout_ms: int = 0, wait: bool = False, no_queue: bool = False,
                 lease_ttl_ms: int = 0, owner: Optional[str] = None, progress: Optional[Progress] = None) -> int:
        return self._call(_cicd.cicd_py_deploy_run, None, project_set, target, to_version, who, 1 if prune else 0,
                          timeout_ms, 1 if wait else 0, 1 if no_queue else 0, lease_ttl_ms, owner,
                          _progress(progress))

    def cancel(self, job_id: int, who: Optional[str] = None) -> None:
        self._call(_cicd.cicd_deploy_cancel, job_id, who)

    def jobs(self, target: Optional[str] = None, limit: int = 0) -> list[dict]:
        return json.loads(self._call(_cicd.cicd_deploy_jobs_json, target, limit))

    def job(self, job_id: int) -> dict:
        return json.loads(self._call(_cicd.cicd_deploy_job_json, job_id))

    def job_state(self, job_id: int) -> str:
        return self._call(_cicd.cicd_py_deploy_job_state, job_id)

    def _log(self, job_id: int, after: int, follow: bool, poll_ms: int) -> tuple[list[LogLine], int]:
        last, lines = self._call(_cicd.cicd_py_deploy_log, job_id, after, 1 if follow else 0, poll_ms)
        return [LogLine(s, at, lvl, msg, json.loads(f)) for s, at, lvl, msg, f in lines], last

    def log(self, job_id: int, after: int = 0) -> tuple[list[LogLine], int]:
        """The committed log lines after sequence number `after`, and the number to resume from."""
        return self._log(job_id, after, False, 0)

    def follow(self, job_id: int, after: int = 0, poll_ms: int = 0) -> tuple[list[LogLine], int]:
        """Like log(), waiting (without the GIL) until the job has ended and every line was read."""
        return self._log(job_id, after, True, poll_ms)

    def run_worker(self, *, owner: Optional[str] = None, lease_ttl_ms: int = 0, poll_ms: int = 0,
                   until_idle: bool = False, max_jobs: int = 0, progress: Optional[Progress] = None) -> None:
        """Runs queued jobs; returns when idle (until_idle), after max_jobs, or on a store error."""
        self._call(_cicd.cicd_py_deploy_worker_run, owner, lease_ttl_ms, poll_ms, 1 if until_idle else 0, max_jobs,
                   _progress(progress))
