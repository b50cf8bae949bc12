"""A Kubernetes API client: kubeconfig loading (merged the way kubectl merges files), a client for
the configured server (resolve, get, list, create, delete, server-side apply of objects and sets,
watches, logs, rollout waits), and the pure decisions `kubectl rollout status` makes and why a pod
cannot make progress. Objects from the server come back as dicts. Credentials never reach an error
message."""
from __future__ import annotations

import builtins
import json
import os
import threading
import time
import weakref
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Optional, Sequence, Union

from . import cicd_c as _cicd
from ._errors import Error, _check, _error_for, _raise_last
from ._handle import Handle
from .document import Document, Node
from .manifest import ManifestSet


class KubeConfig(Handle):
    """A kubeconfig context resolved to a server, a namespace and credentials; immutable."""

    _free = staticmethod(_cicd.cicd_kube_config_free)
    _what = "kube config"

    def __init__(self, handle):
        self._handle = handle

    @classmethod
    def load(cls, kubeconfig: Union[str, os.PathLike, Sequence[Union[str, os.PathLike]], None] = None, *,
             context: Optional[str] = None, namespace: Optional[str] = None, in_cluster: Optional[bool] = None,
             service_account_dir: Optional[str] = None, max_bytes: int = 0) -> "KubeConfig":
        """Loads like kubectl: the files given (a path, a ':'-separated list or a sequence of paths),
        else $KUBECONFIG, else ~/.kube/config; in_cluster=False never uses the Pod's service
        account, True uses only it; None uses it when no kubeconfig exists."""
        if kubeconfig is not None and not isinstance(kubeconfig, (str, os.PathLike)):
            kubeconfig = os.pathsep.join(os.fspath(p) for p in kubeconfig)
        path = None if kubeconfig is None else os.fspath(kubeconfig)
        flags = 0 if in_cluster is None else (
            _cicd.CICD_KUBE_CONFIG_IN_CLUSTER_ONLY if in_cluster else _cicd.CICD_KUBE_CONFIG_NO_IN_CLUSTER)
        return cls(_check(_cicd.cicd_py_kube_config_load(path, flags, context, namespace, service_account_dir,
                                                         max_bytes)))

    @classmethod
    def loads(cls, text: Union[str, bytes], name: Optional[str] = None, *, context: Optional[str] = None,
              namespace: Optional[str] = None) -> "KubeConfig":
        """One kubeconfig held in memory; `name` labels error positions."""
        return cls(_check(_cicd.cicd_py_kube_config_parse(text, name, context, namespace)))

    server = property(lambda self: _cicd.cicd_kube_config_server(self._live()))
    context = property(lambda self: _cicd.cicd_kube_config_context(self._live()))
    namespace = property(lambda self: _cicd.cicd_kube_config_namespace(self._live()))
    auth_kind = property(lambda self: _cicd.cicd_kube_config_auth_kind(self._live()),
                         doc='"client-certificate", "token", "token-file", "exec", "in-cluster" or "none"')


class KubeList(list):
    """The objects of a list call (dicts), with the list's resourceVersion: where a watch can start."""

    resource_version: str = ""


class ApplyResult(NamedTuple):
    """What happened to one object of a set: action is "created", "configured" or "unchanged",
    or None when error (the exception this object failed with) is set; file and line say where
    the object was read."""

    api_version: str
    kind: str
    namespace: str
    name: str
    action: Optional[str]
    error: Optional[Error]
    file: str
    line: int


class WatchEvent(NamedTuple):
    """type: "ADDED", "MODIFIED", "DELETED", "BOOKMARK" or "SYNC" (the object as listed again after
    the watch's resourceVersion expired); object: the object as the server sent it."""

    type: str
    object: dict


_EVENT_TYPES = {_cicd.CICD_KUBE_EVENT_ADDED: "ADDED", _cicd.CICD_KUBE_EVENT_MODIFIED: "MODIFIED",
                _cicd.CICD_KUBE_EVENT_DELETED: "DELETED", _cicd.CICD_KUBE_EVENT_BOOKMARK: "BOOKMARK",
                _cicd.CICD_KUBE_EVENT_SYNC: "SYNC"}
_PROPAGATIONS = {None: _cicd.CICD_KUBE_PROPAGATION_DEFAULT, "background": _cicd.CICD_KUBE_PROPAGATION_BACKGROUND,
                 "foreground": _cicd.CICD_KUBE_PROPAGATION_FOREGROUND, "orphan": _cicd.CICD_KUBE_PROPAGATION_ORPHAN}
# A watch iterated without a timeout waits in slices this long, so Ctrl-C is handled between them.
_WATCH_SLICE_MS = 250

DocumentLike = Union[Document, str, bytes, Mapping[str, Any], os.PathLike]


def _opt_str(value: Optional[str]) -> Optional[str]:
    return value if value else None


class KubeClient(Handle):
    """A client for a configuration's server (the configuration is copied). Calls from several
    threads take turns (a lock); cancel() and cancel_clear() are the calls another thread may make
    while one runs. Nothing is sent until the first request; TLS is verified unless the kubeconfig
    says insecure-skip-tls-verify. Calls that reach the network release the GIL. Ctrl-C during a
    call from the main thread cancels it at once and raises KeyboardInterrupt (what the SIGINT
    handler raises; CanceledError if that raises nothing)."""

    _what = "kube client"

    def __init__(self, config: KubeConfig, *, timeout_ms: int = 0, connect_timeout_ms: int = 0,
                 max_retries: int = 0, parallel: int = 0, max_response_bytes: int = 0,
                 user_agent: Optional[str] = None):
        self._handle = None
        self._lock = threading.Lock()   # one call at a time
        self._life = threading.RLock()  # the handle against cancel() from another thread (or a signal handler)
        self._owner: Optional[int] = None
        self._watches: "weakref.WeakSet[KubeWatch]" = weakref.WeakSet()
        self._orphans: list = []  # watches collected while the client was busy, freed by its next call
        self._handle = _check(_cicd.cicd_py_kube_client_new(config._live(), timeout_ms, connect_timeout_ms,
                                                            max_retries, parallel, max_response_bytes, user_agent))

    @contextmanager
    def _using(self):
        """The handle, held for one call; the C client must not run two calls at once."""
        me = threading.get_ident()
        if self._owner == me:
            raise RuntimeError("a KubeClient cannot be called from one of its own callbacks")
        with self._lock:
            self._owner = me
            try:
                handle = self._live()
                self._free_orphans()
                yield handle
            finally:
                self._owner = None

    def _free_orphans(self) -> None:
        """With the lock held."""
        while self._orphans:
            _cicd.cicd_kube_watch_free(self._orphans.pop())

    def _call(self, fn, *args):
        with self._using() as handle:
            return _check(fn(handle, *args))

    def close(self) -> None:
        """Frees the client and every watch still open on it. A call running in another thread is
        canceled (it raises CanceledError) rather than waited for."""
        if getattr(self, "_handle", None) is None:
            return
        if self._owner == threading.get_ident():
            raise RuntimeError("a KubeClient cannot be closed from one of its own callbacks")
        if not self._lock.acquire(blocking=False):
            with self._life:
                if self._handle is not None:
                    _cicd.cicd_kube_client_cancel(self._handle)
            self._lock.acquire()
        try:
            if self._handle is None:
                return
            self._free_orphans()
            for watch in list(self._watches):
                watch._free()
            with self._life:
                _cicd.cicd_py_kube_client_free(self._handle)
                self._handle = None
        finally:
            self._lock.release()

    def cancel(self) -> None:
        """Makes the call running on this client in another thread (a request, list, apply, logs,
        rollout wait, watch next) fail with CanceledError within about 100 ms, and every later call
        too until cancel_clear(). Safe from any thread and from a signal handler (a SIGINT handler
        may cancel what a blocked call is waiting for)."""
        with self._life:
            _cicd.cicd_kube_client_cancel(self._live())

    def cancel_clear(self) -> None:
        """Lets calls run again after cancel()."""
        with self._life:
            _cicd.cicd_kube_client_cancel_clear(self._live())

    @property
    def namespace(self) -> str:
        """The namespace used when an object or call names none."""
        return _cicd.cicd_kube_client_namespace(self._live())

    def resolve(self, name: str) -> tuple[str, str, bool]:
        """(api_version, kind, namespaced) for what a user typed ("deploy", "deployments.apps",
        "Widget.example.com"), through discovery; NotFoundError when no resource matches."""
        return self._call(_cicd.cicd_py_kube_resolve, name)

    def get(self, api_version: str, kind: str, name: str, namespace: Optional[str] = None) -> dict:
        """The object; NotFoundError when it does not exist."""
        return json.loads(self._call(_cicd.cicd_py_kube_get, api_version, kind, namespace, name))

    def list(self, api_version: str, kind: str, namespace: Optional[str] = None, *,
             label_selector: Optional[str] = None, field_selector: Optional[str] = None, page_size: int = 0,
             all_namespaces: bool = False) -> KubeList:
        """Every object of a kind (read page_size at a time, 0: 500), with the list's resourceVersion."""
        rv, items = self._call(_cicd.cicd_py_kube_list, api_version, kind, namespace, _opt_str(label_selector),
                               _opt_str(field_selector), page_size, 1 if all_namespaces else 0)
        out = KubeList(json.loads(item) for item in items)
        out.resource_version = rv
        return out

    def create(self, obj: Union[Mapping[str, Any], str, bytes]) -> dict:
        """Creates the object (a dict or JSON text) and returns it as stored; ExistsError if present."""
        text = json.dumps(obj) if isinstance(obj, Mapping) else obj
        return json.loads(self._call(_cicd.cicd_py_kube_create, text))

    def delete(self, api_version: str, kind: str, name: str, namespace: Optional[str] = None, *,
               propagation: Optional[str] = None, grace_period_seconds: Optional[int] = None,
               dry_run: bool = False) -> None:
        """Asks for the object's deletion (finalizers may keep it a while); NotFoundError if absent.
        propagation: "background", "foreground", "orphan" or None for the kind's default."""
        if propagation not in _PROPAGATIONS:
            raise ValueError(f"propagation must be background, foreground or orphan, not {propagation!r}")
        grace = -1 if grace_period_seconds is None else grace_period_seconds
        if grace < -1:
            raise ValueError(f"grace_period_seconds must be >= 0, not {grace_period_seconds}")
        self._call(_cicd.cicd_py_kube_delete, api_version, kind, namespace, name, _PROPAGATIONS[propagation], grace,
                   1 if dry_run else 0)

    def apply(self, obj: Union[Node, Mapping[str, Any], str, bytes], *, field_manager: Optional[str] = None,
              force: bool = False, dry_run: bool = False, namespace: Optional[str] = None) -> tuple[str, dict]:
        """Server-side applies one object (a Node, a dict, or YAML/JSON text of one document):
        ("created" | "configured" | "unchanged", the object as the server returned it).
        ConflictError names each other manager and field unless force=True."""
        node, doc = _apply_node(obj)
        try:
            action, text = self._call(_cicd.cicd_py_kube_apply, node, field_manager, 1 if force else 0,
                                      1 if dry_run else 0, namespace)
        finally:
            if doc is not None:
                doc.close()
        return action, json.loads(text)

    def _apply_many(self, documents, manifests, field_manager, force, dry_run, namespace, wait_established_ms,
                    on_result) -> builtins.list[ApplyResult]:
        results: builtins.list[ApplyResult] = []

        def item(api_version, kind, ns, name, action, code, message, file, line):
            r = ApplyResult(api_version, kind, ns, name, action, _error_for(code, message) if code else None, file,
                            line)
            results.append(r)
            if on_result is not None:
                on_result(r)

        with self._using() as handle:
            rc = _cicd.cicd_py_kube_apply_set(handle, documents, manifests, field_manager, 1 if force else 0,
                                              1 if dry_run else 0, namespace, wait_established_ms, item)[0]
            if rc < 0:
                try:
                    _raise_last(rc)
                except Error as e:
                    e.results = results
                    raise
        return results

    def apply_set(self, documents: Union[DocumentLike, Iterable[DocumentLike]], *, field_manager: Optional[str] = None,
                  force: bool = False, dry_run: bool = False, namespace: Optional[str] = None,
                  wait_established_ms: int = 0,
                  on_result: Optional[Callable[[ApplyResult], Any]] = None) -> builtins.list[ApplyResult]:
        """Applies every object of the documents (Document objects, YAML/JSON texts of multi-document
        streams, dicts, or paths of files) in dependency order: Namespaces and CRDs first (waiting
        until a CRD is Established before its resources), workloads last. Returns one ApplyResult per
        object (on_result sees each as it comes; what it raises stops the set and is raised). When an
        object failed, raises the first failure's exception with .results attached."""
        if isinstance(documents, (Document, str, bytes, Mapping, os.PathLike)):
            documents = [documents]
        loaded: builtins.list[Document] = []
        try:
            handles = []
            for i, d in enumerate(documents):
                if not isinstance(d, Document):
                    d = _load_document(d, f"documents[{i}]")
                    loaded.append(d)
                handles.append(d._live())
            return self._apply_many(handles, None, field_manager, force, dry_run, namespace, wait_established_ms,
                                    on_result)
        finally:
            for d in loaded:
                d.close()

    def apply_manifests(self, manifests: ManifestSet, *, field_manager: Optional[str] = None, force: bool = False,
                        dry_run: bool = False, namespace: Optional[str] = None, wait_established_ms: int = 0,
                        on_result: Optional[Callable[[ApplyResult], Any]] = None) -> builtins.list[ApplyResult]:
        """Applies a manifest set like apply_set(), after sorting it in place in apply order."""
        return self._apply_many(None, manifests._live(), field_manager, force, dry_run, namespace,
                                wait_established_ms, on_result)

    def watch(self, api_version: str, kind: str, namespace: Optional[str] = None, *,
              resource_version: Optional[str] = None, label_selector: Optional[str] = None,
              field_selector: Optional[str] = None, bookmarks: bool = True,
              server_timeout_seconds: int = 0) -> "KubeWatch":
        """Watches a kind (namespace None: the client's; "" for a namespaced kind: all). Without
        resource_version the current objects come first as SYNC events. The watch resumes by itself
        when the server ends a request and lists again on 410 Gone."""
        with self._using() as handle:
            w = KubeWatch(self, _check(_cicd.cicd_py_kube_watch_new(
                handle, api_version, kind, namespace, _opt_str(resource_version), _opt_str(label_selector),
                _opt_str(field_selector), 1 if bookmarks else 0, server_timeout_seconds)))
            self._watches.add(w)
            return w

    def logs(self, namespace: Optional[str], pod: str, *, container: Optional[str] = None, follow: bool = False,
             since_seconds: int = 0, tail_lines: Optional[int] = None, timestamps: bool = False,
             previous: bool = False, limit_bytes: int = 0,
             on_data: Optional[Callable[[bytes], Any]] = None) -> Optional[bytes]:
        """A container's log: the bytes when on_data is None; else each chunk goes to on_data as it
        arrives (a truthy return stops the stream; what it raises is raised) and None is returned.
        follow=True streams until the container ends."""
        chunks: builtins.list[bytes] = []
        if tail_lines is not None and tail_lines < 0:
            raise ValueError(f"tail_lines must be >= 0 or None, not {tail_lines}")
        tail = -1 if tail_lines is None else tail_lines
        self._call(_cicd.cicd_py_kube_logs, namespace, pod, container, 1 if follow else 0, since_seconds, tail,
                   1 if timestamps else 0, 1 if previous else 0, limit_bytes,
                   chunks.append if on_data is None else on_data)
        return b"".join(chunks) if on_data is None else None

    def rollout_wait(self, api_version: str, kind: str, name: str, namespace: Optional[str] = None, *,
                     timeout_ms: int = 0, keep_waiting: bool = False, log_lines: int = 0,
                     on_progress: Optional[Callable[[str], Any]] = None) -> str:
        """Waits for a Deployment, StatefulSet, DaemonSet, Job or Pod to roll out (timeout_ms 0:
        300000) and returns kubectl's final message. Error (its message saying why: ImagePullBackOff,
        CrashLoopBackOff with the last log_lines lines, unschedulable, deadline exceeded) when it
        failed, TimeoutError_ at the deadline. on_progress gets each new status message; what it
        raises stops the wait."""
        return self._call(_cicd.cicd_py_kube_rollout_wait, api_version, kind, namespace, name, timeout_ms,
                          1 if keep_waiting else 0, log_lines, on_progress)


class KubeWatch:
    """A watch on a kind: an iterator of WatchEvent (use as a context manager, or close()). It keeps
    its client alive; closing the client closes it. Iterating waits without an end, in slices of
    250 ms so Ctrl-C works, until an error, or CanceledError when the client is canceled or closed
    or the watch closed by another thread; next(timeout) returns None when nothing came in time."""

    def __init__(self, client: KubeClient, handle):
        self._client = client
        self._handle = handle

    def _free(self) -> None:
        """With the client's lock held."""
        if self._handle is not None:
            _cicd.cicd_kube_watch_free(self._handle)
            self._handle = None

    def _live(self):
        if self._handle is None:
            raise ValueError("kube watch is closed")
        return self._handle

    def close(self) -> None:
        if self._handle is None:
            return
        try:
            with self._client._using():
                self._free()
        except ValueError:
            if self._handle is not None:  # else the client was closed meanwhile, and the watch with it
                raise

    def __enter__(self) -> "KubeWatch":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        # never wait for the client here: a collection may happen anywhere, even in its callbacks
        handle, client = getattr(self, "_handle", None), getattr(self, "_client", None)
        if handle is None or client is None:
            return
        self._handle = None
        if client._owner != threading.get_ident() and client._lock.acquire(blocking=False):
            try:
                if client._handle is not None:
                    _cicd.cicd_kube_watch_free(handle)
            finally:
                client._lock.release()
        elif client._handle is not None:
            client._orphans.append(handle)

    def __iter__(self) -> "KubeWatch":
        return self

    def __next__(self) -> WatchEvent:
        event = self.next()
        assert event is not None
        return event

    def next(self, timeout: Optional[float] = None) -> Optional[WatchEvent]:
        """The next event, waiting up to timeout seconds (None: until one comes); None on timeout.
        CanceledError when the client's cancel() or close(), or the watch's close(), comes from
        another thread meanwhile."""
        deadline = None if timeout is None else time.monotonic() + max(timeout, 0.0)
        self._live()
        while True:
            wait_ms = _WATCH_SLICE_MS
            if deadline is not None:
                wait_ms = min(wait_ms, max(0, int((deadline - time.monotonic()) * 1000)))
            try:
                with self._client._using():
                    handle = self._handle
                    if handle is not None:
                        rc, type_, text = _cicd.cicd_py_kube_watch_next(handle, wait_ms)
            except ValueError:  # the client was closed meanwhile, and this watch with it
                handle = None
            if handle is None:
                raise _error_for(_cicd.CICD_ECANCELED, "the kube watch was closed while waiting")
            if rc == _cicd.CICD_ETIMEOUT:
                if deadline is not None and time.monotonic() >= deadline:
                    return None
                continue
            _check(rc)
            return WatchEvent(_EVENT_TYPES[type_], json.loads(text))

    @property
    def resource_version(self) -> str:
        """The last resourceVersion seen ("" before the first)."""
        self._live()
        with self._client._using():
            return _cicd.cicd_kube_watch_resource_version(self._live())

    @property
    def relists(self) -> int:
        """How many times the watch listed again after 410 Gone."""
        self._live()
        with self._client._using():
            return _cicd.cicd_kube_watch_relists(self._live())


def _load_document(obj, name: str) -> Document:
    """A Document for apply_set/apply: dicts as JSON, paths as files, texts as YAML streams."""
    if isinstance(obj, Mapping):
        return Document.load_json(json.dumps(obj), name)
    if isinstance(obj, os.PathLike):
        return Document.load_file(obj)
    if isinstance(obj, (str, bytes)):
        return Document.load(obj, name)
    raise TypeError(f"expected a Document, a dict, a path or YAML/JSON text, not {type(obj).__name__}")


def _apply_node(obj):
    """The C node of one object to apply, and the document to close afterwards."""
    if isinstance(obj, Node):
        return obj._p(), None
    if isinstance(obj, os.PathLike) or not isinstance(obj, (Mapping, str, bytes)):
        raise TypeError(f"expected a Node, a dict or YAML/JSON text, not {type(obj).__name__}")
    doc = _load_document(obj, "object")
    if len(doc) != 1 or doc.root(0) is None:
        n = len(doc)
        doc.close()
        raise ValueError(f"apply takes one object, the text has {n} documents")
    return doc.root(0)._p(), doc


def _node(obj: Union[Node, str, bytes]):
    """The C node (None for an empty text, which the library refuses) and the document to close."""
    if isinstance(obj, Node):
        return obj._p(), None
    doc = Document.load_json(obj, "object.json")
    root = doc.root(0) if len(doc) else None
    return (root._p() if root is not None else None), doc


_ROLLOUT_STATES = {_cicd.CICD_KUBE_ROLLOUT_PROGRESSING: "progressing", _cicd.CICD_KUBE_ROLLOUT_DONE: "done",
                   _cicd.CICD_KUBE_ROLLOUT_FAILED: "failed"}


def rollout_decide(obj: Union[Node, str, bytes]) -> tuple[str, str]:
    """("progressing" | "done" | "failed", kubectl's message) for a Deployment, StatefulSet,
    DaemonSet, Job or Pod as the server returns it (a Node or JSON text). UnsupportedError for
    other kinds."""
    node, doc = _node(obj)
    try:
        state, message = _check(_cicd.cicd_py_kube_rollout_decide(node))
        return _ROLLOUT_STATES[state], message
    finally:
        if doc is not None:
            doc.close()


def pod_problem(pod: Union[Node, str, bytes]) -> Optional[tuple[str, str]]:
    """(reason, crashing container or "") when a pod cannot make progress (ImagePullBackOff,
    ErrImagePull, CrashLoopBackOff, Unschedulable, failed); None when it is fine or starting."""
    node, doc = _node(pod)
    try:
        rc, reason, container = _cicd.cicd_py_kube_pod_problem(node)
        _check(rc)
        return (reason, container) if rc == 1 else None
    finally:
        if doc is not None:
            doc.close()
