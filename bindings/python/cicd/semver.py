"""SemVer 2.0.0 versions and node-semver ranges.

Version and Range are immutable values: compare, sort, hash and test them
freely; their C memory is freed with the object.
"""
from __future__ import annotations

import functools
from typing import Iterable, Optional, Union

from . import cicd_c as _cicd
from ._errors import _check

RELEASES = ("none", "major", "premajor", "minor", "preminor", "patch", "prepatch", "prerelease", "release")
DEFAULT_MAX_LENGTH = _cicd.CICD_SEMVER_DEFAULT_MAX_LENGTH
DEFAULT_MAX_RANGE_LENGTH = _cicd.CICD_SEMVER_DEFAULT_MAX_RANGE_LENGTH


def _flags(loose: bool, include_prerelease: bool = False) -> int:
    return (_cicd.CICD_SEMVER_LOOSE if loose else 0) | \
        (_cicd.CICD_SEMVER_INCLUDE_PRERELEASE if include_prerelease else 0)


def _release(kind: str) -> int:
    return _check(_cicd.cicd_py_semver_release_parse(kind))


@functools.total_ordering
class Version:
    """A parsed version: Version("1.2.3-rc.1+build.5"); loose=True accepts "v1.2" style input.

    Comparison follows SemVer precedence (build metadata ignored); numeric parts
    of any length compare exactly. ParseError carries the column of the first
    offending character."""

    __slots__ = ("_handle", "__weakref__")

    def __init__(self, text: Union[str, bytes], *, loose: bool = False, max_length: int = DEFAULT_MAX_LENGTH):
        self._handle = None
        self._handle = _check(_cicd.cicd_py_semver_parse(text, 0, _flags(loose), max_length))

    @classmethod
    def _wrap(cls, handle) -> "Version":
        v = cls.__new__(cls)
        v._handle = handle
        return v

    @classmethod
    def coerce(cls, text: Union[str, bytes], *, loose: bool = False) -> "Version":
        """The first version-like run in text ("release 1.4 final" -> 1.4.0); NotFoundError when none."""
        return cls._wrap(_check(_cicd.cicd_py_semver_parse(text, 1, _flags(loose), DEFAULT_MAX_LENGTH)))

    def __del__(self):
        if self._handle is not None:
            _cicd.cicd_semver_free(self._handle)
            self._handle = None

    def __str__(self) -> str:
        return _cicd.cicd_semver_text(self._handle)

    def __repr__(self) -> str:
        return f"Version({str(self)!r})"

    @property
    def major(self) -> int:
        return int(_cicd.cicd_semver_major(self._handle))

    @property
    def minor(self) -> int:
        return int(_cicd.cicd_semver_minor(self._handle))

    @property
    def patch(self) -> int:
        return int(_cicd.cicd_semver_patch(self._handle))

    @property
    def prerelease(self) -> str:
        """Dot-separated pre-release identifiers, "" when none."""
        return _cicd.cicd_semver_prerelease(self._handle)

    @property
    def build(self) -> str:
        return _cicd.cicd_semver_build(self._handle)

    @property
    def version(self) -> str:
        """The text without build metadata (node-semver's `version`)."""
        return str(self)[:_cicd.cicd_semver_text_length(self._handle)]

    @staticmethod
    def _of(other) -> "Version":
        return other if isinstance(other, Version) else Version(other)

    # A Version made from a str on the fly is kept in a local for the whole
    # call: its C memory goes with it.

    def compare(self, other: Union["Version", str]) -> int:
        o = self._of(other)
        return _cicd.cicd_semver_compare(self._handle, o._handle)

    def compare_build(self, other: Union["Version", str]) -> int:
        """Precedence, then build metadata (node-semver's compareBuild)."""
        o = self._of(other)
        return _cicd.cicd_semver_compare_build(self._handle, o._handle)

    def __eq__(self, other) -> bool:
        if not isinstance(other, (Version, str)):
            return NotImplemented
        return self.compare(other) == 0

    def __lt__(self, other) -> bool:
        if not isinstance(other, (Version, str)):
            return NotImplemented
        return self.compare(other) < 0

    def __hash__(self) -> int:
        return hash(self.version)

    def inc(self, kind: str, preid: Optional[str] = None, *, loose: bool = False) -> "Version":
        """The next version of kind major, premajor, minor, preminor, patch, prepatch, prerelease or release."""
        return Version._wrap(_check(_cicd.cicd_py_semver_inc(self._handle, _release(kind), preid, _flags(loose))))

    def diff(self, other: Union["Version", str]) -> Optional[str]:
        """The kind of the largest difference ("major", "prerelease", ...), None when equal."""
        o = self._of(other)
        kind = _cicd.cicd_semver_diff(self._handle, o._handle)
        return None if kind == _cicd.CICD_SEMVER_NONE else _cicd.cicd_semver_release_name(kind)

    def satisfies(self, rng: Union["Range", str]) -> bool:
        return (rng if isinstance(rng, Range) else Range(rng)).test(self)

    def copy(self) -> "Version":
        return Version._wrap(_check(_cicd.cicd_semver_dup(self._handle)))


def sort_versions(versions: Iterable[Union[Version, str]], *, reverse: bool = False) -> list[Version]:
    """Sorted by precedence then build metadata (stable), as node-semver sorts."""
    items = [Version._of(v) for v in versions]
    perm = _check(_cicd.cicd_py_semver_sort([v._handle for v in items],
                                            _cicd.CICD_SEMVER_SORT_REVERSE if reverse else 0))
    return [items[i] for i in perm]


def compare(a: str, b: str, *, loose: bool = False) -> int:
    """-1, 0 or 1; ParseError for an invalid version."""
    return _check(_cicd.cicd_py_semver_compare_str(a, b, _flags(loose)))


def satisfies(version: str, rng: str, *, loose: bool = False, include_prerelease: bool = False) -> bool:
    return _check(_cicd.cicd_py_semver_satisfies(rng, version, _flags(loose, include_prerelease)))


class Range:
    """A node-semver range: Range("^1.2 || >=3.0.0-rc.1"); `version in rng` tests it."""

    __slots__ = ("_handle",)

    def __init__(self, text: Union[str, bytes], *, loose: bool = False, include_prerelease: bool = False,
                 max_range_length: int = DEFAULT_MAX_RANGE_LENGTH):
        self._handle = None
        self._handle = _check(_cicd.cicd_py_semver_range_parse(text, _flags(loose, include_prerelease),
                                                               max_range_length))

    def __del__(self):
        if self._handle is not None:
            _cicd.cicd_semver_range_free(self._handle)
            self._handle = None

    def __str__(self) -> str:
        """The range desugared to comparators (node-semver's validRange)."""
        return _cicd.cicd_semver_range_text(self._handle)

    def __repr__(self) -> str:
        return f"Range({str(self)!r})"

    def test(self, version: Union[Version, str, bytes]) -> bool:
        """Whether the version satisfies the range. Text is parsed with the range's own options (a
        loose range takes "=1.2.3"); ParseError when it is not a version."""
        if isinstance(version, Version):
            return bool(_cicd.cicd_semver_range_test(self._handle, version._handle))
        return _check(_cicd.cicd_py_semver_range_test_str(self._handle, version))

    def __contains__(self, version: Union[Version, str, bytes]) -> bool:
        return self.test(version)

    def _satisfying(self, versions: Iterable[Union[Version, str]], highest: bool) -> Optional[Version]:
        items = [Version._of(v) for v in versions]
        rc, index = _cicd.cicd_py_semver_satisfying([v._handle for v in items], self._handle, 1 if highest else 0)
        if rc == _cicd.CICD_ENOTFOUND:
            return None
        _check(rc)
        return items[index]

    def max_satisfying(self, versions: Iterable[Union[Version, str]]) -> Optional[Version]:
        return self._satisfying(versions, True)

    def min_satisfying(self, versions: Iterable[Union[Version, str]]) -> Optional[Version]:
        return self._satisfying(versions, False)
