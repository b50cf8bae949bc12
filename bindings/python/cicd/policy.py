"""Branch and tag policy checks, and the next version from Conventional Commits."""
from __future__ import annotations

import os
from typing import Iterable, NamedTuple, Optional, Union

from . import cicd_c as _cicd
from ._errors import _check
from ._handle import Handle
from .semver import Version


class Violation(NamedTuple):
    rule: str      # branch-name, protected-branch, merge-flow, tag-pattern, tag-branch, tag-order
    message: str


class PolicyResult:
    """The outcome of a check: allowed (also the truth value), violations, captures, kind."""

    __slots__ = ("allowed", "violations", "captures", "kind", "_json")

    def __init__(self, allowed: bool, violations, captures, kind: str, json: str):
        self.allowed = allowed
        self.violations = [Violation(*v) for v in violations]
        self.captures = dict(captures)
        self.kind = kind
        self._json = json

    def __bool__(self) -> bool:
        return self.allowed

    def to_json(self) -> str:
        return self._json

    def __repr__(self) -> str:
        return f"<cicd.PolicyResult allowed={self.allowed} violations={[v.rule for v in self.violations]}>"


def _encode(s: str) -> bytes:
    if "\0" in s:
        raise ValueError("a name cannot contain NUL")
    return s.encode("utf-8")


class Policy(Handle):
    """A loaded branch/tag policy file; immutable. Use as a context manager or call close()."""

    def __init__(self, handle):
        self._handle = handle

    @classmethod
    def load(cls, path: Union[str, os.PathLike], *, max_bytes: int = 0, max_branch_kinds: int = 0,
             max_name_length: int = 0) -> "Policy":
        return cls(_check(_cicd.cicd_py_policy_load(os.fspath(path), None, None, max_bytes, max_branch_kinds,
                                                    max_name_length)))

    @classmethod
    def loads(cls, text: Union[str, bytes], name: Optional[str] = None, *, max_bytes: int = 0,
              max_branch_kinds: int = 0, max_name_length: int = 0) -> "Policy":
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        return cls(_check(_cicd.cicd_py_policy_load(None, data, name, max_bytes, max_branch_kinds,
                                                    max_name_length)))

    _free = staticmethod(_cicd.cicd_policy_free)
    _what = "policy"

    def check_push(self, branch: str) -> PolicyResult:
        return PolicyResult(*_check(_cicd.cicd_py_policy_check(self._live(), 0, branch, None, None)))

    def check_merge_request(self, source: str, target: str) -> PolicyResult:
        return PolicyResult(*_check(_cicd.cicd_py_policy_check(self._live(), 1, source, target, None)))

    def check_tag(self, tag: str, branch: str, existing_tags: Iterable[str] = ()) -> PolicyResult:
        existing = [_encode(t) for t in existing_tags]
        return PolicyResult(*_check(_cicd.cicd_py_policy_check(self._live(), 2, tag, branch, existing)))

    def tag_version(self, tag: str) -> Optional[Version]:
        """The version a release tag names ("v1.4.0" -> 1.4.0); None when the tag does not match."""
        rc, handle = _cicd.cicd_policy_tag_version(self._live(), tag)
        if rc == _cicd.CICD_ENOTFOUND:
            return None
        _check(rc)
        return Version._wrap(handle)

    def release_tag(self, version: Union[Version, str]) -> str:
        """The tag that releases a version under the policy's tag pattern (1.4.0 -> "v1.4.0"); the
        reverse of tag_version. InvalidArgumentError when the version has a pre-release the pattern
        has no place for, or the pattern wants one and the version has none."""
        v = Version._of(version)
        return _check(_cicd.cicd_policy_release_tag(self._live(), v._handle))


def commit_bump(message: Union[str, bytes]) -> Optional[str]:
    """The bump a Conventional Commits message asks for: "major", "minor", "patch" or None."""
    kind = _cicd.cicd_py_policy_commit_bump(message)
    return None if kind == _cicd.CICD_SEMVER_NONE else _cicd.cicd_semver_release_name(kind)


def next_version(last: Union[Version, str], messages: Iterable[Union[str, bytes]], *,
                 pre_id: Optional[str] = None, pre_number: Optional[int] = None) -> tuple[Version, Optional[str]]:
    """The next version after `last` for these commit messages, and the bump applied (None for none).

    With pre_id a dev pre-release NEXT-PRE_ID.N, N being pre_number or the number of commits."""
    msgs = [m.encode("utf-8") if isinstance(m, str) else bytes(m) for m in messages]
    if pre_number is not None and pre_number < 0:
        raise ValueError("pre_number must not be negative")
    base = Version._of(last)
    rc, handle, bump = _cicd.cicd_py_policy_next_version(base._handle, msgs, pre_id,
                                                         -1 if pre_number is None else pre_number)
    _check(rc)
    return Version._wrap(handle), (None if bump == _cicd.CICD_SEMVER_NONE else _cicd.cicd_semver_release_name(bump))
