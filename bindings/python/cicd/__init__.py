"""Python bindings for libcicd.

The C library reports failures through return codes and a thread-local last
error; this layer turns them into exceptions carrying the same fields, owns
C objects through context managers (and a finalizer as a safety net), and
walks collections with iterators. One module per libcicd module:

- document: YAML/JSON documents and nodes (Document, Node)
- expr: `rules:if` expressions and variable expansion (Expression, expand)
- mask: trace masking with the runner's CRC-32 (Masker, crc32)
- pipeline: .gitlab-ci.yml loaded and validated (Pipeline, Job, Rule, Need, JobPolicy, Variable)
- plan: the pipeline GitLab creates for a trigger (plan, Planner, Trigger, Plan, PlanJob)
- semver: versions and ranges (Version, Range, sort_versions, compare, satisfies)
- policy: branch/tag policy checks, next version (Policy, PolicyResult, commit_bump, next_version)
- manifest: Kubernetes object sets (ManifestSet, Manifest, ManifestDiff)
- deploy: the deploy store, versions, targets, jobs and their logs (DeployStore)
- pod: job payloads, runner configurations, rendered Pods and scripts (JobPayload, RunnerConfig, render_pod)
- kaniko: image builds in the cluster rendered as a Pod or Job with its Secret (render_kaniko)
- kube: kubeconfig, an API client (get, list, apply, apply sets, watch, logs, rollout waits), rollout and
  pod-problem decisions (KubeConfig, KubeClient, KubeWatch, WatchEvent, ApplyResult, rollout_decide)
- log: the library's log lines to a callable or a logging.Logger (set_log_handler, log_to, LogLevel)
"""
from __future__ import annotations

from . import cicd_c as _cicd
from ._errors import (AuthError, CanceledError, ConflictError, DeniedError, Diagnostic, Error, ExistsError,
                      HTTPError, InvalidArgumentError, IOError_, LimitError, NoMemoryError, NotFoundError, ParseError,
                      StoreError, TimeoutError_, TLSError, UnsupportedError, ValidationError)
from .document import NO_MERGE_KEYS, STRICT_KEYS, Document, Node
from .expr import Expression, expand
from .mask import Masker, crc32
from .pipeline import Job, JobPolicy, Need, Pipeline, Rule, Variable
from .plan import Plan, Planner, PlanJob, Trigger, glob_match, plan
from .policy import Policy, PolicyResult, Violation, commit_bump, next_version
from .semver import Range, Version, compare, satisfies, sort_versions
from .manifest import DiffEntry, FieldChange, Manifest, ManifestDiff, ManifestSet
from .deploy import DeployStore, LogLine
from .pod import (JobPayload, PayloadVariable, RunnerConfig, find_exit_code, pod_failure_reason, render_pod,
                  render_script)
from .kaniko import DEFAULT_KANIKO_IMAGE, RegistryCredential, render_kaniko
from .kube import (ApplyResult, KubeClient, KubeConfig, KubeList, KubeWatch, WatchEvent, pod_problem,
                   rollout_decide)
from .log import LogLevel, log_handler, log_to, set_log_handler

__all__ = [
    "Error", "NoMemoryError", "NotFoundError", "InvalidArgumentError", "ParseError", "LimitError",
    "IOError_", "ValidationError", "TimeoutError_", "ExistsError", "ConflictError", "DeniedError",
    "UnsupportedError", "CanceledError", "HTTPError", "AuthError", "TLSError", "StoreError", "Diagnostic", "Document", "Node", "STRICT_KEYS", "NO_MERGE_KEYS",
    "Expression", "expand", "Masker", "crc32", "version",
    "Pipeline", "Job", "Rule", "Need", "JobPolicy", "Variable",
    "Trigger", "Planner", "Plan", "PlanJob", "plan", "glob_match",
    "Version", "Range", "sort_versions", "compare", "satisfies",
    "Policy", "PolicyResult", "Violation", "commit_bump", "next_version",
    "ManifestSet", "Manifest", "ManifestDiff", "DiffEntry", "FieldChange", "DeployStore", "LogLine",
    "JobPayload", "PayloadVariable", "RunnerConfig", "render_pod", "render_script", "find_exit_code",
    "pod_failure_reason", "DEFAULT_KANIKO_IMAGE", "RegistryCredential", "render_kaniko",
    "KubeConfig", "KubeClient", "rollout_decide", "pod_problem", "KubeList", "KubeWatch", "WatchEvent",
    "ApplyResult",
    "version_numbers", "LogLevel", "set_log_handler", "log_handler", "log_to",
]


def version() -> str:
    """The version of the libcicd the bindings run on."""
    return _cicd.cicd_version()


def version_numbers() -> tuple[int, int, int]:
    """The version of the libcicd the bindings run on as (major, minor, patch)."""
    return _cicd.cicd_py_version_numbers()
