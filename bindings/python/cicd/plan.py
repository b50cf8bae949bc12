"""Plans: the pipeline GitLab would create for a trigger (branch, tag, merge request).

A Planner compiles a pipeline's expressions once and plans for as many
triggers as needed; cicd.plan() does both in one call. A Plan keeps its
planner and pipeline alive and raises ValueError once any of them is closed.
"""
from __future__ import annotations

from typing import Callable, Iterable, Iterator, Mapping, Optional

from . import cicd_c as _cicd
from ._errors import _check
from ._handle import Handle
from .pipeline import Job, Pipeline

_KINDS = {"branch": 1, "tag": 2, "merge_request": 3}


def glob_match(glob: str, path: str) -> bool:
    """Whether path matches glob as GitLab matches `changes` and `exists`."""
    return bool(_cicd.cicd_plan_glob_match(glob, path))


class Trigger(Handle):
    """What a pipeline is created for: a branch, a tag or a merge request, with its details.

    exists(glob) -> bool answers `rules:exists`; changed lists the paths a
    push changed (None: unknown, so `changes` always holds). compare(ref)
    answers `changes:compare_to`: the paths changed since ref's merge base
    with the pipeline's commit (`git diff --name-only REF...SHA`), or None
    when ref names no commit. masked_variables
    are pipeline variables whose values are secrets: a pipeline loaded with
    the trigger shows [MASKED] for them in include errors."""

    def __init__(self, kind: str, ref: str, *, source: Optional[str] = None, default_branch: Optional[str] = None,
                 project: Optional[str] = None, sha: Optional[str] = None, target_branch: Optional[str] = None,
                 iid: int = 0, event_type: Optional[str] = None, labels: Optional[Iterable[str]] = None,
                 title: Optional[str] = None, open_merge_requests: Optional[str] = None,
                 variables: Optional[Mapping[str, str]] = None,
                 masked_variables: Optional[Mapping[str, str]] = None, changed: Optional[Iterable[str]] = None,
                 exists: Optional[Callable[[str], bool]] = None,
                 compare: Optional[Callable[[str], Optional[Iterable[str]]]] = None):
        if kind not in _KINDS:
            raise ValueError(f"kind must be one of {', '.join(_KINDS)}, not {kind!r}")
        self._handle = None
        self._callbacks = None
        self._handle = _check(_cicd.cicd_trigger_new(_KINDS[kind], ref))
        self.kind = kind
        self.ref = ref
        h = self._handle
        if source is not None:
            _check(_cicd.cicd_trigger_set_source(h, source))
        if default_branch is not None:
            _check(_cicd.cicd_trigger_set_default_branch(h, default_branch))
        if project is not None:
            _check(_cicd.cicd_trigger_set_project(h, project))
        if sha is not None:
            _check(_cicd.cicd_trigger_set_sha(h, sha))
        if kind == "merge_request" or target_branch is not None:
            label_text = None if labels is None else ",".join(labels)
            _check(_cicd.cicd_trigger_set_merge_request(h, target_branch, iid, event_type, label_text, title))
        if open_merge_requests is not None:
            _check(_cicd.cicd_trigger_set_open_merge_requests(h, open_merge_requests))
        for name, value in (variables or {}).items():
            _check(_cicd.cicd_trigger_set_variable(h, name, value))
        for name, value in (masked_variables or {}).items():
            _check(_cicd.cicd_trigger_set_masked_variable(h, name, value))
        if changed is not None:
            _check(_cicd.cicd_trigger_set_changes_known(h))
            for path in changed:
                _check(_cicd.cicd_trigger_add_changed(h, path))
        if exists is not None or compare is not None:
            self._callbacks = _check(_cicd.cicd_py_trigger_set_callbacks(h, exists, compare))

    @classmethod
    def branch(cls, name: str, **details) -> "Trigger":
        return cls("branch", name, **details)

    @classmethod
    def tag(cls, name: str, **details) -> "Trigger":
        return cls("tag", name, **details)

    @classmethod
    def merge_request(cls, source: str, target: str, iid: int, **details) -> "Trigger":
        return cls("merge_request", source, target_branch=target, iid=iid, **details)

    _free = staticmethod(_cicd.cicd_trigger_free)
    _what = "trigger"

    def close(self) -> None:
        super().close()
        self._callbacks = None  # the exists and compare callables' capsule goes with the trigger

    def __repr__(self) -> str:
        return f"<cicd.Trigger {self.kind} {self.ref}>"


class Planner(Handle):
    """Compiles every expression of a pipeline once; plan() then works per trigger.

    An invalid expression raises ParseError with its file, line and column."""

    def __init__(self, pipeline: Pipeline, *, max_jobs: int = 0):
        self._handle = None
        self.pipeline = pipeline
        self._handle = _check(_cicd.cicd_py_planner_new(pipeline._live(), max_jobs))

    _free = staticmethod(_cicd.cicd_planner_free)
    _what = "planner"

    def _live(self):
        handle = super()._live()
        self.pipeline._live()
        return handle

    def plan(self, trigger: Optional[Trigger] = None, **trigger_args) -> "Plan":
        """Plans for a Trigger, or for one made from branch=, tag= or merge_request=(source, target, iid)
        and the Trigger's keyword arguments."""
        own = trigger is None
        if trigger is None:
            trigger = _trigger_from(trigger_args)
        elif trigger_args:
            raise TypeError("give a Trigger or trigger arguments, not both")
        try:
            handle = _check(_cicd.cicd_py_plan_create(self._live(), trigger._live(), trigger._callbacks or None))
        finally:
            if own:
                trigger.close()
        return Plan(handle, self)


def _trigger_from(args: dict) -> Trigger:
    kinds = [k for k in ("branch", "tag", "merge_request") if k in args]
    if len(kinds) != 1:
        raise TypeError("give exactly one of branch=, tag= or merge_request=(source, target, iid)")
    value = args.pop(kinds[0])
    if kinds[0] == "merge_request":
        source, target, iid = value
        return Trigger.merge_request(source, target, iid, **args)
    return Trigger(kinds[0], value, **args)


def plan(pipeline: Pipeline, trigger: Optional[Trigger] = None, *, max_jobs: int = 0, **trigger_args) -> "Plan":
    """The pipeline GitLab would create: cicd.plan(p, branch="main") or cicd.plan(p, trigger)."""
    return Planner(pipeline, max_jobs=max_jobs).plan(trigger, **trigger_args)


class PlanJob:
    """A job of a plan (an instance of a parallel job has its own)."""

    __slots__ = ("_ptr", "_plan", "index")

    def __init__(self, ptr, plan: "Plan", index: int):
        self._ptr = ptr
        self._plan = plan
        self.index = index

    def _p(self):
        self._plan._live()
        return self._ptr

    @property
    def name(self) -> str:
        return _cicd.cicd_plan_job_name(self._p())

    @property
    def stage(self) -> str:
        return _cicd.cicd_plan_job_stage(self._p())

    @property
    def when(self) -> str:
        """on_success, on_failure, always, manual or delayed."""
        return _cicd.cicd_plan_job_when(self._p())

    @property
    def allow_failure(self) -> bool:
        return bool(_cicd.cicd_plan_job_allow_failure(self._p()))

    @property
    def start_in(self) -> Optional[str]:
        return _cicd.cicd_plan_job_start_in(self._p())

    @property
    def source(self) -> Job:
        """The pipeline job it comes from."""
        return Job(_cicd.cicd_plan_job_source(self._p()), self._plan._planner.pipeline)

    @property
    def needs(self) -> Optional[list[str]]:
        """Names of the needed jobs in this plan; None when the job waits for earlier stages."""
        p = self._p()
        n = _cicd.cicd_plan_job_need_count(p)
        return None if n < 0 else [_cicd.cicd_plan_job_need(p, i) for i in range(n)]

    @property
    def variables(self) -> dict[str, str]:
        """The job's own variables as the plan sets them, unexpanded, in definition order."""
        return dict(_cicd.cicd_py_plan_job_variables(self._p()))

    @property
    def prerequisites(self) -> list["PlanJob"]:
        """The jobs it needs or, without needs, every job of the earlier stages."""
        h = self._plan._live()
        return [self._plan.jobs[_cicd.cicd_plan_job_prerequisite(h, self.index, k)]
                for k in range(_cicd.cicd_plan_job_prerequisite_count(h, self.index))]

    def __repr__(self) -> str:
        return f"<cicd.PlanJob {self.name} ({self.stage}, {self.when})>"


class Plan(Handle):
    """Whether GitLab creates a pipeline for the trigger, and with which jobs.

    Iterating gives the jobs in stage order; plan["name"] looks one up."""

    def __init__(self, handle, planner: Planner):
        self._handle = handle
        self._planner = planner
        self._jobs: Optional[list[PlanJob]] = None

    _free = staticmethod(_cicd.cicd_plan_free)
    _what = "plan"

    def _live(self):
        handle = super()._live()
        self._planner._live()
        return handle

    @property
    def created(self) -> bool:
        return bool(_cicd.cicd_plan_created(self._live()))

    def __bool__(self) -> bool:
        return self.created

    @property
    def reason(self) -> Optional[str]:
        """Why no pipeline is created (GitLab's message); None when it is."""
        return _cicd.cicd_plan_reason(self._live())

    @property
    def name(self) -> Optional[str]:
        """workflow:name with variables expanded, or None."""
        return _cicd.cicd_plan_name(self._live())

    @property
    def stages(self) -> list[str]:
        h = self._live()
        return [_cicd.cicd_plan_stage(h, i) for i in range(_cicd.cicd_plan_stage_count(h))]

    def variable(self, name: str) -> Optional[str]:
        """A pipeline-level variable (predefined, global, workflow, pipeline) as the plan saw it."""
        return _cicd.cicd_py_plan_variable(self._live(), name)

    @property
    def jobs(self) -> list[PlanJob]:
        h = self._live()
        if self._jobs is None:
            self._jobs = [PlanJob(_cicd.cicd_plan_job_at(h, i), self, i) for i in range(_cicd.cicd_plan_job_count(h))]
        return self._jobs

    def __len__(self) -> int:
        return len(self.jobs)

    def __iter__(self) -> Iterator[PlanJob]:
        return iter(self.jobs)

    def __getitem__(self, name: str) -> PlanJob:
        for job in self.jobs:
            if job.name == name:
                return job
        raise KeyError(name)

    def __contains__(self, name: str) -> bool:
        return any(job.name == name for job in self.jobs)

    @property
    def topological_order(self) -> list[PlanJob]:
        h = self._live()
        jobs = self.jobs
        return [jobs[_cicd.cicd_plan_topological(h, k)] for k in range(len(jobs))]

    @property
    def critical_path(self) -> list[PlanJob]:
        h = self._live()
        jobs = self.jobs
        return [jobs[_cicd.cicd_plan_critical_path(h, k)] for k in range(_cicd.cicd_plan_critical_path_count(h))]

    def to_json(self, *, pretty: bool = False) -> str:
        return _check(_cicd.cicd_plan_to_json(self._live(), _cicd.CICD_FORMAT_PRETTY if pretty else 0))

    def __repr__(self) -> str:
        if self._handle is None:
            return "<cicd.Plan closed>"
        return f"<cicd.Plan {len(self)} jobs>" if self.created else f"<cicd.Plan not created: {self.reason}>"
