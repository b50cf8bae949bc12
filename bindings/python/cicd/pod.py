"""The Pod a runner creates for a CI job: job payloads, runner configurations, the rendered
Pod and Secrets, stage scripts with their exit marker, and failure reasons."""
from __future__ import annotations

import os
from typing import NamedTuple, Optional, Union

from . import cicd_c as _cicd
from ._errors import Diagnostic, _check
from ._handle import Handle
from .document import Node
from .mask import Masker


class PayloadVariable(NamedTuple):
    key: str
    value: bytes
    public: bool
    masked: bool
    file: bool
    raw: bool


class JobPayload(Handle):
    """A job as POST /api/v4/jobs/request returns it."""

    _free = staticmethod(_cicd.cicd_job_payload_free)
    _what = "job payload"

    def __init__(self, handle):
        self._handle = handle

    @classmethod
    def _load(cls, path, data, name, **limits) -> "JobPayload":
        keys = ("max_bytes", "max_depth", "max_variables", "max_steps", "max_services", "max_script_lines")
        unknown = set(limits) - set(keys)
        if unknown:
            raise TypeError(f"unknown limits: {', '.join(sorted(unknown))}")
        return cls(_check(_cicd.cicd_py_job_payload_load(path, data, name, *(limits.get(k, 0) for k in keys))))

    @classmethod
    def load(cls, path: Union[str, os.PathLike], **limits: int) -> "JobPayload":
        return cls._load(os.fspath(path), None, None, **limits)

    @classmethod
    def loads(cls, text: Union[str, bytes], name: Optional[str] = None, **limits: int) -> "JobPayload":
        return cls._load(None, text.encode("utf-8") if isinstance(text, str) else bytes(text), name, **limits)

    id = property(lambda self: _cicd.cicd_job_payload_id(self._live()))
    project_id = property(lambda self: _cicd.cicd_job_payload_project_id(self._live()))
    timeout = property(lambda self: _cicd.cicd_job_payload_timeout(self._live()))
    name = property(lambda self: _cicd.cicd_job_payload_name(self._live()))
    stage = property(lambda self: _cicd.cicd_job_payload_stage(self._live()))
    image = property(lambda self: _cicd.cicd_job_payload_image(self._live()))

    @property
    def variables(self) -> list[PayloadVariable]:
        h = self._live()
        out = []
        for i in range(_cicd.cicd_job_payload_variable_count(h)):
            key, value, flags = _cicd.cicd_py_job_payload_variable(h, i)
            out.append(PayloadVariable(key, value, bool(flags & _cicd.CICD_JOB_PAYLOAD_VAR_PUBLIC),
                                       bool(flags & _cicd.CICD_JOB_PAYLOAD_VAR_MASKED),
                                       bool(flags & _cicd.CICD_JOB_PAYLOAD_VAR_FILE),
                                       bool(flags & _cicd.CICD_JOB_PAYLOAD_VAR_RAW)))
        return out

    @property
    def services(self) -> list[tuple[str, str]]:
        """(image name, alias) of each service; alias "" when none."""
        h = self._live()
        return [(_cicd.cicd_job_payload_service_name(h, i), _cicd.cicd_job_payload_service_alias(h, i))
                for i in range(_cicd.cicd_job_payload_service_count(h))]

    @property
    def steps(self) -> list[str]:
        h = self._live()
        return [_cicd.cicd_job_payload_step_name(h, i) for i in range(_cicd.cicd_job_payload_step_count(h))]

    @property
    def raw(self) -> Node:
        """The whole payload as loaded, unknown fields included."""
        return Node(_cicd.cicd_job_payload_raw(self._live()), self)

    @property
    def unknown_keys(self) -> list[str]:
        h = self._live()
        return [_cicd.cicd_job_payload_unknown_key(h, i) for i in range(_cicd.cicd_job_payload_unknown_count(h))]

    def masker(self, *, token_prefixes: bool = True, url_params: bool = True) -> Masker:
        """A trace masker for this job's masked variables, token and credentials."""
        flags = (0 if token_prefixes else _cicd.CICD_MASK_NO_TOKEN_PREFIXES) | \
            (0 if url_params else _cicd.CICD_MASK_NO_URL_PARAMS)
        m = Masker.__new__(Masker)
        m._handle = _check(_cicd.cicd_py_job_payload_mask_new(self._live(), flags))
        return m

    def failure_reason(self, reason: Optional[str] = None) -> str:
        """The failure_reason to send for `reason`, as GitLab Runner maps it for this server."""
        return _cicd.cicd_job_payload_failure_reason(self._live(), reason)


class RunnerConfig(Handle):
    """A runner configuration with the keys of [runners.kubernetes]; unknown keys are warnings."""

    _free = staticmethod(_cicd.cicd_runner_config_free)
    _what = "runner configuration"

    def __init__(self, handle):
        self._handle = handle

    @classmethod
    def load(cls, path: Union[str, os.PathLike], *, max_bytes: int = 0) -> "RunnerConfig":
        return cls(_check(_cicd.cicd_py_runner_config_load(os.fspath(path), None, None, max_bytes)))

    @classmethod
    def loads(cls, text: Union[str, bytes], name: Optional[str] = None, *, max_bytes: int = 0) -> "RunnerConfig":
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        return cls(_check(_cicd.cicd_py_runner_config_load(None, data, name, max_bytes)))

    @property
    def warnings(self) -> list[Diagnostic]:
        d = _cicd.cicd_runner_config_diagnostics(self._live())
        return [Diagnostic._from_c(_cicd.cicd_diagnostics_get(d, i)) for i in range(_cicd.cicd_diagnostics_count(d))]


def render_pod(job: JobPayload, config: RunnerConfig, *, format: str = "yaml", ignore_disabled_overwrites: bool = False,
               slot: int = 0, name_suffix: Optional[str] = None) -> str:
    """The job's Secret(s) and Pod as a YAML stream, or a JSON v1 List with format="json"."""
    formats = {"yaml": _cicd.CICD_POD_FORMAT_YAML, "json": _cicd.CICD_POD_FORMAT_JSON}
    if format not in formats:
        raise ValueError(f"format must be yaml or json, not {format!r}")
    flags = _cicd.CICD_POD_IGNORE_DISABLED_OVERWRITES if ignore_disabled_overwrites else 0
    return _check(_cicd.cicd_py_pod_render(job._live(), config._live(), formats[format], flags, slot, name_suffix))


def render_script(job: JobPayload, config: RunnerConfig, step: str, *, shell: str = "bash",
                  nonce: Optional[str] = None) -> str:
    """The script of one step, ending with the exit marker line."""
    shells = {"sh": _cicd.CICD_SHELL_SH, "bash": _cicd.CICD_SHELL_BASH}
    if shell not in shells:
        raise ValueError(f"shell must be sh or bash, not {shell!r}")
    return _check(_cicd.cicd_py_pod_script_render(job._live(), config._live(), step, shells[shell], nonce))


def find_exit_code(log: Union[str, bytes], nonce: str, step: str) -> Optional[int]:
    """The exit code of the last marker with this nonce and step in a log; None when there is none."""
    rc, code = _cicd.cicd_py_pod_exit_marker_find(log, nonce, step)
    if rc == _cicd.CICD_ENOTFOUND:
        return None
    _check(rc)
    return code


def pod_failure_reason(pod_json: Union[str, bytes], name: Optional[str] = None) -> Optional[tuple[str, str]]:
    """(failure_reason, message) read from a Pod's status; None when the Pod shows no failure."""
    rc, reason, message = _cicd.cicd_py_pod_failure_reason(pod_json, name)
    if rc == _cicd.CICD_ENOTFOUND:
        return None
    _check(rc)
    return reason, message
