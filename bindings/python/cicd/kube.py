"""A Kubernetes API client: kubeconfig loading (merged the way kubectl merges files), a client for
the configured server, and the pure decisions `kubectl rollout status` makes and why a pod cannot
make progress. Credentials never reach an error message."""
from __future__ import annotations

import os
from typing import Optional, Sequence, Union

from . import cicd_c as _cicd
from ._errors import _check
from .document import Document, Node


class _Handle:
    _what = "object"

    def _live(self):
        if self._handle is None:
            raise ValueError(f"{self._what} is closed")
        return self._handle

    def close(self) -> None:
        if self._handle is not None:
            type(self)._free(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


class KubeConfig(_Handle):
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


class KubeClient(_Handle):
    """A client for a configuration's server (the configuration is copied). Use from one thread at
    a time. Nothing is sent until the first request; TLS is verified unless the kubeconfig says
    insecure-skip-tls-verify."""

    _free = staticmethod(_cicd.cicd_py_kube_client_free)
    _what = "kube client"

    def __init__(self, config: KubeConfig, *, timeout_ms: int = 0, connect_timeout_ms: int = 0,
                 max_retries: int = 0, parallel: int = 0, max_response_bytes: int = 0,
                 user_agent: Optional[str] = None):
        self._handle = None
        self._handle = _check(_cicd.cicd_py_kube_client_new(config._live(), timeout_ms, connect_timeout_ms,
                                                            max_retries, parallel, max_response_bytes, user_agent))

    @property
    def namespace(self) -> str:
        return _cicd.cicd_kube_client_namespace(self._live())

    def get(self, api_version: str, kind: str, name: str, namespace: Optional[str] = None) -> str:
        """The object as JSON text; NotFoundError when it does not exist."""
        return _check(_cicd.cicd_py_kube_get(self._live(), api_version, kind, namespace, name))


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
