"""Image builds inside the cluster with Kaniko: the build Pod or Job, the docker-config Secret it
pushes with, and a ConfigMap with extra CA certificates. Pure rendering, deterministic."""
from __future__ import annotations

from typing import Mapping, NamedTuple, Optional, Sequence, Union

from . import cicd_c as _cicd
from ._errors import _check

DEFAULT_KANIKO_IMAGE: str = _cicd.CICD_KANIKO_DEFAULT_IMAGE


class RegistryCredential(NamedTuple):
    """Docker Hub's registry is https://index.docker.io/v1/."""

    registry: str
    username: str
    password: str


def render_kaniko(context: str, destinations: Sequence[str] = (), *, name: Optional[str] = None,
                  namespace: Optional[str] = None, image: Optional[str] = None, dockerfile: Optional[str] = None,
                  build_args: Union[Mapping[str, str], Sequence[str]] = (), target: Optional[str] = None,
                  cache: bool = False, cache_repo: Optional[str] = None, reproducible: bool = False,
                  no_push: bool = False, as_job: bool = False, snapshot_mode: Optional[str] = None,
                  ca_bundle: Union[str, bytes, None] = None,
                  credentials: Sequence[Union[RegistryCredential, tuple[str, str, str]]] = (),
                  context_claim: Optional[str] = None, service_account: Optional[str] = None,
                  cpu_request: Optional[str] = None, cpu_limit: Optional[str] = None,
                  memory_request: Optional[str] = None, memory_limit: Optional[str] = None,
                  active_deadline_seconds: int = 0, format: str = "yaml") -> str:
    """The docker-config Secret, the CA ConfigMap (with ca_bundle) and the build Pod (or Job with
    as_job=True) as a YAML stream, or a JSON v1 List with format="json". Build arguments
    ("KEY=VALUE", or a mapping) are visible in the Pod spec: never pass secrets there; passwords go
    into the Secret only, base64-encoded. Raises ValidationError naming the field for a bad spec."""
    formats = {"yaml": _cicd.CICD_POD_FORMAT_YAML, "json": _cicd.CICD_POD_FORMAT_JSON}
    if format not in formats:
        raise ValueError(f"format must be yaml or json, not {format!r}")
    flags = (_cicd.CICD_KANIKO_AS_JOB if as_job else 0) | (_cicd.CICD_KANIKO_CACHE if cache else 0) | \
        (_cicd.CICD_KANIKO_REPRODUCIBLE if reproducible else 0) | (_cicd.CICD_KANIKO_NO_PUSH if no_push else 0)
    if isinstance(destinations, str):
        destinations = [destinations]
    if isinstance(build_args, Mapping):
        args = [f"{k}={v}" for k, v in build_args.items()]
    else:
        args = list(build_args)
    creds = [tuple(c) for c in credentials]
    for c in creds:
        if len(c) != 3:
            raise ValueError("a credential is (registry, username, password)")
    ca = ca_bundle.encode("utf-8") if isinstance(ca_bundle, str) else (None if ca_bundle is None else bytes(ca_bundle))
    return _check(_cicd.cicd_py_kaniko_render(
        flags, formats[format], name, namespace, image, context, dockerfile, list(destinations), args, target,
        cache_repo, snapshot_mode, ca, [c[0] for c in creds], [c[1] for c in creds], [c[2] for c in creds],
        context_claim, service_account, cpu_request, cpu_limit, memory_request, memory_limit,
        active_deadline_seconds))
