"""Kubernetes manifests: load sets of objects, validate, sort, transform, render, hash and diff.

A ManifestSet owns its objects; Manifest objects and nodes taken from it keep
it alive and raise ValueError once it is closed. Transforms are
copy-on-write: nodes taken before a transform keep showing the old tree.
"""
from __future__ import annotations

import os
from typing import Iterator, NamedTuple, Optional, Union

from . import cicd_c as _cicd
from ._errors import Diagnostic, _check, _raise_with
from ._handle import Handle
from .document import Node

_FORMATS = {"auto": _cicd.CICD_MANIFEST_FORMAT_AUTO, "yaml": _cicd.CICD_MANIFEST_FORMAT_YAML,
            "json": _cicd.CICD_MANIFEST_FORMAT_JSON}
_ORDERS = {"apply": _cicd.CICD_MANIFEST_ORDER_APPLY, "delete": _cicd.CICD_MANIFEST_ORDER_DELETE,
           "source": _cicd.CICD_MANIFEST_ORDER_SOURCE}
_CHANGES = {_cicd.CICD_MANIFEST_ADDED: "added", _cicd.CICD_MANIFEST_REMOVED: "removed",
            _cicd.CICD_MANIFEST_CHANGED: "changed"}


def _format(name: str) -> int:
    try:
        return _FORMATS[name]
    except KeyError:
        raise ValueError(f"format must be one of {', '.join(_FORMATS)}, not {name!r}") from None


def _render_flags(pretty: bool, sort_keys: bool) -> int:
    return (_cicd.CICD_FORMAT_PRETTY if pretty else 0) | (_cicd.CICD_FORMAT_SORT_KEYS if sort_keys else 0)


class Manifest:
    """One object of a set: identity, metadata, position, its tree, render, hash."""

    __slots__ = ("_ptr", "_set")

    def __init__(self, ptr, owner: "ManifestSet"):
        self._ptr = ptr
        self._set = owner

    def _p(self):
        self._set._live()
        return self._ptr

    def __eq__(self, other) -> bool:
        """The same object of the same set."""
        return isinstance(other, Manifest) and other._set is self._set and int(other._ptr) == int(self._ptr)

    def __hash__(self) -> int:
        return hash((id(self._set), int(self._ptr)))

    api_version = property(lambda self: _cicd.cicd_manifest_api_version(self._p()))
    group = property(lambda self: _cicd.cicd_manifest_group(self._p()))
    version = property(lambda self: _cicd.cicd_manifest_version(self._p()))
    kind = property(lambda self: _cicd.cicd_manifest_kind(self._p()))
    name = property(lambda self: _cicd.cicd_manifest_name(self._p()))
    generate_name = property(lambda self: _cicd.cicd_manifest_generate_name(self._p()))
    namespace = property(lambda self: _cicd.cicd_manifest_namespace(self._p()))
    file = property(lambda self: _cicd.cicd_manifest_file(self._p()))
    document_index = property(lambda self: _cicd.cicd_manifest_document_index(self._p()))
    line = property(lambda self: _cicd.cicd_manifest_line(self._p()))

    def label(self, key: str) -> Optional[str]:
        return _cicd.cicd_manifest_label(self._p(), key)

    def annotation(self, key: str) -> Optional[str]:
        return _cicd.cicd_manifest_annotation(self._p(), key)

    def _node(self, n) -> Optional[Node]:
        return Node(n, self._set) if n is not None else None

    def _node_of(self, n) -> Node:
        """A node the library always has (the object's tree)."""
        return Node(n, self._set)

    @property
    def labels(self) -> Optional[Node]:
        return self._node(_cicd.cicd_manifest_labels(self._p()))

    @property
    def annotations(self) -> Optional[Node]:
        return self._node(_cicd.cicd_manifest_annotations(self._p()))

    @property
    def node(self) -> Node:
        """The object's current tree."""
        return self._node_of(_cicd.cicd_manifest_node(self._p()))

    @property
    def scope(self) -> Optional[str]:
        """"namespaced", "cluster", or None for a kind the set does not know."""
        s = _cicd.cicd_manifest_set_scope(self._set._live(), self._p())
        return {_cicd.CICD_MANIFEST_SCOPE_NAMESPACED: "namespaced", _cicd.CICD_MANIFEST_SCOPE_CLUSTER: "cluster"}.get(s)

    def render(self, format: str = "yaml", *, pretty: bool = False, sort_keys: bool = False) -> str:
        return _check(_cicd.cicd_manifest_render(self._p(), _format(format), _render_flags(pretty, sort_keys)))

    @property
    def hash(self) -> str:
        """SHA-256 of the canonical form, as hex."""
        return _check(_cicd.cicd_py_manifest_hash(self._p(), None))

    @property
    def canonical(self) -> str:
        return _check(_cicd.cicd_manifest_canonical(self._p()))

    def __repr__(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"<cicd.Manifest {self.kind} {ns}{self.name}>"


class ManifestSet(Handle):
    """A set of Kubernetes objects. Use as a context manager, or call close()."""

    def __init__(self):
        self._handle = None
        self._handle = _check(_cicd.cicd_manifest_set_new())

    @classmethod
    def load(cls, path: Union[str, os.PathLike], **options) -> "ManifestSet":
        """A set with one file, or every manifest file of a directory (recursive=True to descend)."""
        s = cls()
        try:
            s.add_path(path, **options)
        except BaseException:
            s.close()
            raise
        return s

    _free = staticmethod(_cicd.cicd_manifest_set_free)
    _what = "manifest set"

    def add(self, text: Union[str, bytes], name: Optional[str] = None, *, format: str = "auto",
            max_objects: int = 0) -> None:
        """Adds the objects of a YAML stream or JSON text; ParseError/LimitError with the position."""
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        _check(_cicd.cicd_py_manifest_add(self._live(), None, data, name, _format(format), 0, max_objects, 0))

    def add_path(self, path: Union[str, os.PathLike], *, recursive: bool = False, format: str = "auto",
                 max_objects: int = 0, max_files: int = 0) -> None:
        flags = _cicd.CICD_MANIFEST_RECURSIVE if recursive else 0
        _check(_cicd.cicd_py_manifest_add(self._live(), os.fspath(path), None, None, _format(format), flags,
                                          max_objects, max_files))

    def __len__(self) -> int:
        return _cicd.cicd_manifest_set_count(self._live())

    def __getitem__(self, i: int) -> Manifest:
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        return Manifest(_cicd.cicd_manifest_set_get(self._live(), i), self)

    def __iter__(self) -> Iterator[Manifest]:
        for i in range(len(self)):
            yield self[i]

    def find(self, kind: str, name: str, *, group: str = "", namespace: str = "") -> Manifest:
        """The object with this identity; NotFoundError when absent."""
        return Manifest(_check(_cicd.cicd_manifest_set_find(self._live(), group, kind, namespace, name)), self)

    def validate(self, *, openapi: Union[str, bytes, None] = None, max_diagnostics: int = 0) -> list[Diagnostic]:
        """Returns the warnings; raises ValidationError (with every problem in .diagnostics) on an error."""
        schema = openapi.encode("utf-8") if isinstance(openapi, str) else openapi
        rc, diags = _cicd.cicd_py_manifest_validate(self._live(), schema, max_diagnostics)
        diagnostics = [Diagnostic._from_tuple(t) for t in diags]
        if rc < 0:
            _raise_with(rc, diagnostics)
        return diagnostics

    def sort(self, order: str = "apply") -> None:
        if order not in _ORDERS:
            raise ValueError(f"order must be one of {', '.join(_ORDERS)}, not {order!r}")
        _check(_cicd.cicd_manifest_set_sort(self._live(), _ORDERS[order]))

    def set_image(self, name: str, *, new_name: Optional[str] = None, new_tag: Optional[str] = None,
                  digest: Optional[str] = None) -> int:
        """Sets the image of every container using image `name` (kustomize's images:); returns how many."""
        return _check(_cicd.cicd_py_manifest_set_image(self._live(), name, new_name, new_tag, digest))

    def set_label(self, key: str, value: str, *, templates: bool = False) -> None:
        _check(_cicd.cicd_manifest_set_label(self._live(), key, value,
                                             _cicd.CICD_MANIFEST_META_TEMPLATES if templates else 0))

    def set_annotation(self, key: str, value: str, *, templates: bool = False) -> None:
        _check(_cicd.cicd_manifest_set_annotation(self._live(), key, value,
                                                  _cicd.CICD_MANIFEST_META_TEMPLATES if templates else 0))

    def set_namespace(self, namespace: str) -> None:
        _check(_cicd.cicd_manifest_set_namespace(self._live(), namespace))

    def render(self, format: str = "yaml", *, pretty: bool = False, sort_keys: bool = False) -> str:
        return _check(_cicd.cicd_manifest_set_render(self._live(), _format(format), _render_flags(pretty, sort_keys)))

    @property
    def hash(self) -> str:
        return _check(_cicd.cicd_py_manifest_hash(None, self._live()))

    def diff(self, new: "ManifestSet") -> "ManifestDiff":
        """What changes from this set (old) to `new`."""
        return ManifestDiff(_check(_cicd.cicd_manifest_diff_new(self._live(), new._live())), self, new)


class FieldChange(NamedTuple):
    path: str
    old: Optional[str]
    new: Optional[str]
    hidden: bool   # a Secret's data: values are never given
    change: str    # added, removed or changed


class DiffEntry(NamedTuple):
    change: str                  # added, removed or changed
    old: Optional[Manifest]
    new: Optional[Manifest]
    fields: list[FieldChange]


class ManifestDiff(Handle):
    """The difference between two sets; keeps both alive. Iterate for the entries."""

    def __init__(self, handle, old: ManifestSet, new: ManifestSet):
        self._handle = handle
        self._old = old
        self._new = new

    _free = staticmethod(_cicd.cicd_manifest_diff_free)
    _what = "diff"

    def _live(self):
        handle = super()._live()
        self._old._live()
        self._new._live()
        return handle

    def __len__(self) -> int:
        return _cicd.cicd_manifest_diff_count(self._live())

    def __getitem__(self, i: int) -> DiffEntry:
        h = self._live()
        got = _cicd.cicd_py_manifest_diff_get(h, i) if i >= 0 else None
        if got is None:
            raise IndexError(i)
        change, o, n = got
        fields = []
        for j in range(_cicd.cicd_manifest_diff_field_count(h, i)):
            f = _cicd.cicd_manifest_diff_field(h, i, j)
            fields.append(FieldChange(f.path, f.old_value, f.new_value, bool(f.hidden), _CHANGES[f.change]))
        return DiffEntry(_CHANGES[change], Manifest(o, self._old) if o is not None else None,
                         Manifest(n, self._new) if n is not None else None, fields)

    def __iter__(self) -> Iterator[DiffEntry]:
        for i in range(len(self)):
            yield self[i]

    def render(self, format: str = "text") -> str:
        kinds = {"text": _cicd.CICD_MANIFEST_DIFF_TEXT, "json": _cicd.CICD_MANIFEST_DIFF_JSON}
        if format not in kinds:
            raise ValueError(f"format must be text or json, not {format!r}")
        return _check(_cicd.cicd_manifest_diff_render(self._live(), kinds[format]))
