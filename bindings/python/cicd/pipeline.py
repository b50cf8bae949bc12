"""Pipelines: a .gitlab-ci.yml with its includes, resolved and validated.

Everything read from a Pipeline (jobs, rules, needs, variables, nodes) is
borrowed from it: it keeps the Pipeline alive, and raises ValueError once
the Pipeline is closed.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Callable, Iterator, Optional, Union

from . import cicd_c as _cicd
from ._errors import Diagnostic, _check, _raise_with
from ._handle import Handle
from .document import Node

if TYPE_CHECKING:
    from .plan import Trigger

INCLUDE_KINDS = {1: "local", 2: "project", 3: "remote", 4: "template", 5: "component"}

# resolver(kind, location, project, ref, parent, depth) -> content | (content, name) | None
Resolver = Callable[[str, str, Optional[str], Optional[str], str, int],
                    Union[str, bytes, "tuple[Union[str, bytes], str]", None]]


def _tri(v: int) -> Optional[bool]:
    return None if v < 0 else bool(v)


def _counted(count: int, item: Callable[[int], object]) -> Optional[list]:
    return None if count < 0 else [item(i) for i in range(count)]


class _Borrowed:
    """Something borrowed from a pipeline: keeps it alive, fails once it is closed."""

    __slots__ = ("_ptr", "_owner")

    def __init__(self, ptr, owner):
        self._ptr = ptr
        self._owner = owner

    def _p(self):
        self._owner._live()
        return self._ptr

    def _node(self, n) -> Optional[Node]:
        return Node(n, self._owner) if n is not None else None

    def _node_of(self, n) -> Node:
        """A node the library always has (a job's configuration)."""
        return Node(n, self._owner)


class Variable(_Borrowed):
    """A `variables` entry: name, value (text as written), description, expand, options."""

    __slots__ = ()

    @property
    def name(self) -> str:
        return _cicd.cicd_variable_name(self._p())

    @property
    def value(self) -> str:
        return _cicd.cicd_variable_value(self._p())

    @property
    def description(self) -> Optional[str]:
        return _cicd.cicd_variable_description(self._p())

    @property
    def expand(self) -> bool:
        return bool(_cicd.cicd_variable_expand(self._p()))

    @property
    def options(self) -> list[str]:
        p = self._p()
        return [_cicd.cicd_variable_option(p, i) for i in range(_cicd.cicd_variable_option_count(p))]

    @property
    def node(self) -> Optional[Node]:
        return self._node(_cicd.cicd_variable_node(self._p()))

    def __repr__(self) -> str:
        return f"<cicd.Variable {self.name}={self.value!r}>"


def _variables(owner, count_fn, item_fn, p) -> list[Variable]:
    return [Variable(item_fn(p, i), owner) for i in range(count_fn(p))]


class Need(_Borrowed):
    """A `needs` entry."""

    __slots__ = ()

    @property
    def job(self) -> str:
        return _cicd.cicd_need_job(self._p())

    @property
    def optional(self) -> bool:
        return bool(_cicd.cicd_need_optional(self._p()))

    @property
    def artifacts(self) -> bool:
        return bool(_cicd.cicd_need_artifacts(self._p()))

    @property
    def project(self) -> Optional[str]:
        return _cicd.cicd_need_project(self._p())

    @property
    def ref(self) -> Optional[str]:
        return _cicd.cicd_need_ref(self._p())

    @property
    def pipeline(self) -> Optional[str]:
        return _cicd.cicd_need_pipeline(self._p())

    @property
    def matrix(self) -> Optional[Node]:
        return self._node(_cicd.cicd_need_matrix(self._p()))

    @property
    def node(self) -> Optional[Node]:
        return self._node(_cicd.cicd_need_node(self._p()))

    def __repr__(self) -> str:
        return f"<cicd.Need {self.job}>"


def _needs(owner, count: int, item_fn, p) -> Optional[list[Need]]:
    return _counted(count, lambda i: Need(item_fn(p, i), owner))


class Rule(_Borrowed):
    """A rule of `rules` or `workflow:rules`, as written (nothing evaluated)."""

    __slots__ = ()

    @property
    def if_(self) -> Optional[str]:
        return _cicd.cicd_rule_if(self._p())

    @property
    def if_node(self) -> Optional[Node]:
        return self._node(_cicd.cicd_rule_if_node(self._p()))

    @property
    def when(self) -> Optional[str]:
        return _cicd.cicd_rule_when(self._p())

    @property
    def start_in(self) -> Optional[str]:
        return _cicd.cicd_rule_start_in(self._p())

    @property
    def allow_failure(self) -> Optional[bool]:
        return _tri(_cicd.cicd_rule_allow_failure(self._p()))

    @property
    def changes(self) -> Optional[list[str]]:
        """Paths of `changes`, or None when the rule has no `changes` clause."""
        p = self._p()
        if not _cicd.cicd_rule_has_changes(p):
            return None
        return [_cicd.cicd_rule_changes(p, i) for i in range(_cicd.cicd_rule_changes_count(p))]

    @property
    def changes_compare_to(self) -> Optional[str]:
        return _cicd.cicd_rule_changes_compare_to(self._p())

    @property
    def exists(self) -> Optional[list[str]]:
        """Globs of `exists`, or None when the rule has no `exists` clause."""
        p = self._p()
        if not _cicd.cicd_rule_has_exists(p):
            return None
        return [_cicd.cicd_rule_exists(p, i) for i in range(_cicd.cicd_rule_exists_count(p))]

    @property
    def exists_project(self) -> Optional[str]:
        return _cicd.cicd_rule_exists_project(self._p())

    @property
    def exists_ref(self) -> Optional[str]:
        return _cicd.cicd_rule_exists_ref(self._p())

    @property
    def variables(self) -> list[Variable]:
        return _variables(self._owner, _cicd.cicd_rule_variable_count, _cicd.cicd_rule_variable, self._p())

    @property
    def needs(self) -> Optional[list[Need]]:
        p = self._p()
        return _needs(self._owner, _cicd.cicd_rule_need_count(p), _cicd.cicd_rule_need, p)

    @property
    def node(self) -> Optional[Node]:
        return self._node(_cicd.cicd_rule_node(self._p()))

    def __repr__(self) -> str:
        return f"<cicd.Rule if={self.if_!r} when={self.when!r}>"


class JobPolicy(_Borrowed):
    """`only` or `except` in full form."""

    __slots__ = ()

    @property
    def is_default(self) -> bool:
        return bool(_cicd.cicd_job_policy_is_default(self._p()))

    @property
    def refs(self) -> list[str]:
        p = self._p()
        return [_cicd.cicd_job_policy_ref(p, i) for i in range(_cicd.cicd_job_policy_ref_count(p))]

    @property
    def variables(self) -> list[str]:
        p = self._p()
        return [_cicd.cicd_job_policy_variable(p, i) for i in range(_cicd.cicd_job_policy_variable_count(p))]

    @property
    def variable_nodes(self) -> list[Node]:
        p = self._p()
        return [Node(_cicd.cicd_job_policy_variable_node(p, i), self._owner)
                for i in range(_cicd.cicd_job_policy_variable_count(p))]

    @property
    def changes(self) -> Optional[list[str]]:
        p = self._p()
        if not _cicd.cicd_job_policy_has_changes(p):
            return None
        return [_cicd.cicd_job_policy_changes(p, i) for i in range(_cicd.cicd_job_policy_changes_count(p))]

    @property
    def kubernetes(self) -> Optional[str]:
        return _cicd.cicd_job_policy_kubernetes(self._p())


class Job(_Borrowed):
    """A visible job, with `default` and `extends` applied."""

    __slots__ = ()

    @property
    def name(self) -> str:
        return _cicd.cicd_job_name(self._p())

    @property
    def config(self) -> Node:
        return self._node_of(_cicd.cicd_job_config(self._p()))

    def get(self, key: str) -> Optional[Node]:
        """The node of a keyword of the effective configuration, or None."""
        return self._node(_cicd.cicd_job_get(self._p(), key))

    @property
    def file(self) -> str:
        return _cicd.cicd_job_file(self._p())

    @property
    def line(self) -> int:
        return _cicd.cicd_job_line(self._p())

    @property
    def column(self) -> int:
        return _cicd.cicd_job_column(self._p())

    @property
    def stage(self) -> str:
        return _cicd.cicd_job_stage(self._p())

    @property
    def when(self) -> str:
        return _cicd.cicd_job_when(self._p())

    @property
    def start_in(self) -> Optional[str]:
        return _cicd.cicd_job_start_in(self._p())

    @property
    def allow_failure(self) -> Optional[bool]:
        """As written; None when not written."""
        return _tri(_cicd.cicd_job_allow_failure(self._p()))

    @property
    def allow_failure_exit_codes(self) -> list[int]:
        p = self._p()
        return [_cicd.cicd_job_allow_failure_exit_code(p, i)
                for i in range(_cicd.cicd_job_allow_failure_exit_code_count(p))]

    @property
    def is_trigger(self) -> bool:
        return bool(_cicd.cicd_job_is_trigger(self._p()))

    @property
    def trigger_project(self) -> Optional[str]:
        return _cicd.cicd_job_trigger_project(self._p())

    @property
    def trigger_branch(self) -> Optional[str]:
        return _cicd.cicd_job_trigger_branch(self._p())

    @property
    def trigger_strategy(self) -> Optional[str]:
        return _cicd.cicd_job_trigger_strategy(self._p())

    def _script(self, which: str) -> list[str]:
        p = self._p()
        return [_cicd.cicd_job_script(p, which, i) for i in range(_cicd.cicd_job_script_count(p, which))]

    @property
    def script(self) -> list[str]:
        return self._script("script")

    @property
    def before_script(self) -> list[str]:
        return self._script("before_script")

    @property
    def after_script(self) -> list[str]:
        return self._script("after_script")

    @property
    def rules(self) -> Optional[list[Rule]]:
        """The job's rules, or None when it has no `rules`."""
        p = self._p()
        if not _cicd.cicd_job_has_rules(p):
            return None
        return [Rule(_cicd.cicd_job_rule(p, i), self._owner) for i in range(_cicd.cicd_job_rule_count(p))]

    @property
    def only(self) -> Optional[JobPolicy]:
        x = _cicd.cicd_job_only(self._p())
        return JobPolicy(x, self._owner) if x is not None else None

    @property
    def except_(self) -> Optional[JobPolicy]:
        x = _cicd.cicd_job_except(self._p())
        return JobPolicy(x, self._owner) if x is not None else None

    @property
    def needs(self) -> Optional[list[Need]]:
        """None when `needs` is not written (stage order); [] for `needs: []`."""
        p = self._p()
        return _needs(self._owner, _cicd.cicd_job_need_count(p), _cicd.cicd_job_need, p)

    @property
    def dependencies(self) -> Optional[list[str]]:
        p = self._p()
        return _counted(_cicd.cicd_job_dependency_count(p), lambda i: _cicd.cicd_job_dependency(p, i))

    @property
    def variables(self) -> list[Variable]:
        return _variables(self._owner, _cicd.cicd_job_variable_count, _cicd.cicd_job_variable, self._p())

    def inherits_default(self, key: str) -> bool:
        return bool(_cicd.cicd_job_inherits_default(self._p(), key))

    def inherits_variable(self, name: str) -> bool:
        return bool(_cicd.cicd_job_inherits_variable(self._p(), name))

    @property
    def parallel(self) -> int:
        return _cicd.cicd_job_parallel(self._p())

    @property
    def parallel_matrix(self) -> Optional[Node]:
        return self._node(_cicd.cicd_job_parallel_matrix(self._p()))

    @property
    def instances(self) -> list[tuple[str, dict[str, str]]]:
        """The jobs `parallel` makes: (name, matrix variables) in GitLab's order."""
        p = self._p()
        out = []
        for i in range(_cicd.cicd_job_instance_count(p)):
            pairs = [_cicd.cicd_py_job_instance_variable(p, i, v)
                     for v in range(_cicd.cicd_job_instance_variable_count(p, i))]
            out.append((_cicd.cicd_job_instance_name(p, i), dict(pairs)))
        return out

    @property
    def image(self) -> Optional[str]:
        return _cicd.cicd_job_image(self._p())

    @property
    def resource_group(self) -> Optional[str]:
        return _cicd.cicd_job_resource_group(self._p())

    @property
    def environment(self) -> Optional[str]:
        return _cicd.cicd_job_environment(self._p())

    @property
    def environment_action(self) -> Optional[str]:
        return _cicd.cicd_job_environment_action(self._p())

    @property
    def timeout(self) -> Optional[str]:
        return _cicd.cicd_job_timeout(self._p())

    @property
    def coverage(self) -> Optional[str]:
        return _cicd.cicd_job_coverage(self._p())

    @property
    def tags(self) -> list[str]:
        p = self._p()
        return [_cicd.cicd_job_tag(p, i) for i in range(_cicd.cicd_job_tag_count(p))]

    @property
    def interruptible(self) -> Optional[bool]:
        return _tri(_cicd.cicd_job_interruptible(self._p()))

    @property
    def retry_max(self) -> int:
        return _cicd.cicd_job_retry_max(self._p())

    @property
    def retry_when(self) -> list[str]:
        p = self._p()
        return [_cicd.cicd_job_retry_when(p, i) for i in range(_cicd.cicd_job_retry_when_count(p))]

    @property
    def extends(self) -> list[str]:
        p = self._p()
        return [_cicd.cicd_job_extends(p, i) for i in range(_cicd.cicd_job_extends_count(p))]

    def __repr__(self) -> str:
        return f"<cicd.Job {self.name} ({self.stage})>"


class Pipeline(Handle):
    """A loaded, resolved and validated .gitlab-ci.yml.

    An invalid configuration raises ValidationError whose `diagnostics` lists
    every error and warning. Iterating gives the jobs; pipeline["name"] looks
    one up. Use as a context manager, or call close()."""

    def __init__(self, handle, warnings: list[Diagnostic]):
        self._handle = handle
        self.warnings = warnings

    @classmethod
    def _load(cls, path, text, name, project_root, resolver, strict_keys, resolve_local, max_includes,
              max_include_depth, max_extends_depth, max_reference_depth, max_file_bytes, max_yaml_depth,
              max_diagnostics, trigger) -> "Pipeline":
        flags = (_cicd.CICD_PIPELINE_STRICT_KEYS if strict_keys else 0) | \
            (_cicd.CICD_PIPELINE_RESOLVE_LOCAL if resolve_local else 0)
        wrapped = None
        if resolver is not None:
            def wrapped(kind, location, project, ref, parent, depth):
                return resolver(INCLUDE_KINDS.get(kind, str(kind)), location, project, ref, parent, depth)
        rc, handle, diags = _cicd.cicd_py_pipeline_load(
            path, text, name, None if project_root is None else os.fspath(project_root), wrapped, flags,
            max_includes, max_include_depth, max_extends_depth, max_reference_depth, max_file_bytes,
            max_yaml_depth, max_diagnostics, None if trigger is None else trigger._live(),
            None if trigger is None else trigger._callbacks)
        diagnostics = [Diagnostic._from_tuple(t) for t in diags]
        if rc < 0:
            _raise_with(rc, diagnostics)
        return cls(handle, diagnostics)

    @classmethod
    def load(cls, path: Union[str, os.PathLike], *, project_root: Union[str, os.PathLike, None] = None,
             resolver: Optional[Resolver] = None, strict_keys: bool = False, resolve_local: bool = False,
             max_includes: int = 0, max_include_depth: int = 0, max_extends_depth: int = 0,
             max_reference_depth: int = 0, max_file_bytes: int = 0, max_yaml_depth: int = 0,
             max_diagnostics: int = 0, trigger: Optional["Trigger"] = None) -> "Pipeline":
        """Loads a file; local includes are read below project_root (default: the file's directory).

        resolver(kind, location, project, ref, parent, depth) resolves the other
        includes (and local ones with resolve_local): it returns the content
        (str or bytes), (content, display name), or None when there is no such file.
        With a trigger, the includes are those GitLab reads for it: its variables
        expanded in include locations (ci/$CI_COMMIT_REF_NAME.yml) and include:rules
        decided with its variables, changes and exists; without one, locations are
        used as written and every include is read."""
        return cls._load(path, None, None, project_root, resolver, strict_keys, resolve_local, max_includes,
                         max_include_depth, max_extends_depth, max_reference_depth, max_file_bytes, max_yaml_depth,
                         max_diagnostics, trigger)

    @classmethod
    def loads(cls, text: Union[str, bytes], name: Optional[str] = None, *,
              project_root: Union[str, os.PathLike, None] = None, resolver: Optional[Resolver] = None,
              strict_keys: bool = False, resolve_local: bool = False, max_includes: int = 0,
              max_include_depth: int = 0, max_extends_depth: int = 0, max_reference_depth: int = 0,
              max_file_bytes: int = 0, max_yaml_depth: int = 0, max_diagnostics: int = 0,
              trigger: Optional["Trigger"] = None) -> "Pipeline":
        """Loads from memory; name labels positions (default ".gitlab-ci.yml"); trigger as for load()."""
        return cls._load(None, text, name, project_root, resolver, strict_keys, resolve_local, max_includes,
                         max_include_depth, max_extends_depth, max_reference_depth, max_file_bytes, max_yaml_depth,
                         max_diagnostics, trigger)

    _free = staticmethod(_cicd.cicd_pipeline_free)
    _what = "pipeline"

    @property
    def name(self) -> str:
        return _cicd.cicd_pipeline_name(self._live())

    @property
    def files(self) -> list[str]:
        """The main file, then every distinct include read."""
        h = self._live()
        return [_cicd.cicd_pipeline_file(h, i) for i in range(_cicd.cicd_pipeline_file_count(h))]

    @property
    def stages(self) -> list[str]:
        h = self._live()
        return [_cicd.cicd_pipeline_stage(h, i) for i in range(_cicd.cicd_pipeline_stage_count(h))]

    @property
    def variables(self) -> list[Variable]:
        return _variables(self, _cicd.cicd_pipeline_variable_count, _cicd.cicd_pipeline_variable, self._live())

    @property
    def config(self) -> Node:
        """The fully merged configuration."""
        return Node(_cicd.cicd_pipeline_config(self._live()), self)

    @property
    def default(self) -> Optional[Node]:
        n = _cicd.cicd_pipeline_default(self._live())
        return Node(n, self) if n is not None else None

    def to_json(self, *, pretty: bool = False, sort_keys: bool = False) -> str:
        flags = (_cicd.CICD_FORMAT_PRETTY if pretty else 0) | (_cicd.CICD_FORMAT_SORT_KEYS if sort_keys else 0)
        return _check(_cicd.cicd_pipeline_to_json(self._live(), flags))

    @property
    def workflow_rules(self) -> Optional[list[Rule]]:
        """`workflow:rules`, or None when the file has none."""
        h = self._live()
        if not _cicd.cicd_pipeline_has_workflow_rules(h):
            return None
        return [Rule(_cicd.cicd_pipeline_workflow_rule(h, i), self)
                for i in range(_cicd.cicd_pipeline_workflow_rule_count(h))]

    @property
    def workflow_name(self) -> Optional[str]:
        return _cicd.cicd_pipeline_workflow_name(self._live())

    @property
    def auto_cancel_on_new_commit(self) -> Optional[str]:
        return _cicd.cicd_pipeline_auto_cancel_on_new_commit(self._live())

    @property
    def auto_cancel_on_job_failure(self) -> Optional[str]:
        return _cicd.cicd_pipeline_auto_cancel_on_job_failure(self._live())

    @property
    def jobs(self) -> list[Job]:
        return list(self)

    def __len__(self) -> int:
        return _cicd.cicd_pipeline_job_count(self._live())

    def __iter__(self) -> Iterator[Job]:
        """The jobs, through the library's job iterator (freed when the loop ends)."""
        it = _check(_cicd.cicd_job_iterator_new(self._live()))
        try:
            while True:
                self._live()
                rc, job = _cicd.cicd_job_iterator_next(it)
                if rc == _cicd.CICD_ITEROVER:
                    return
                _check(rc)
                yield Job(job, self)
        finally:
            _cicd.cicd_job_iterator_free(it)

    def job(self, index: int) -> Job:
        if not 0 <= index < len(self):
            raise IndexError(index)
        return Job(_cicd.cicd_pipeline_job(self._live(), index), self)

    def __getitem__(self, name: str) -> Job:
        """The job called name; NotFoundError (a LookupError) when there is none."""
        return Job(_check(_cicd.cicd_pipeline_job_by_name(self._live(), name)), self)

    def __contains__(self, name: str) -> bool:
        rc, _ = _cicd.cicd_pipeline_job_by_name(self._live(), name)
        return rc == 0

    def __repr__(self) -> str:
        return f"<cicd.Pipeline {self.name}>" if self._handle is not None else "<cicd.Pipeline closed>"
