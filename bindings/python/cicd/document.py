"""Documents: YAML streams and JSON texts loaded into immutable nodes with positions."""
from __future__ import annotations

import json as _json
import os
from typing import Any, Iterator, Optional, Protocol, Union

from . import cicd_c as _cicd
from ._errors import Diagnostic, _check, _diagnostics
from ._handle import Handle

STRICT_KEYS = _cicd.CICD_DOCUMENT_STRICT_KEYS
NO_MERGE_KEYS = _cicd.CICD_DOCUMENT_NO_MERGE_KEYS

_STYLES = {_cicd.CICD_SCALAR_PLAIN: "plain", _cicd.CICD_SCALAR_SINGLE_QUOTED: "single-quoted",
           _cicd.CICD_SCALAR_DOUBLE_QUOTED: "double-quoted", _cicd.CICD_SCALAR_LITERAL: "literal",
           _cicd.CICD_SCALAR_FOLDED: "folded"}
_VALUE_TYPES = {_cicd.CICD_VALUE_NULL: "null", _cicd.CICD_VALUE_BOOL: "bool", _cicd.CICD_VALUE_INT: "int",
                _cicd.CICD_VALUE_FLOAT: "float", _cicd.CICD_VALUE_STRING: "string"}


class _Owner(Protocol):
    """What nodes borrow from: raises ValueError once it is closed."""

    def _live(self) -> Any: ...


class Document(Handle):
    """A loaded YAML stream (or JSON text): one or more documents of immutable nodes.

    Use as a context manager, or call close(); nodes keep their document alive."""

    def __init__(self, handle):
        self._handle = handle

    @classmethod
    def load_file(cls, path: Union[str, os.PathLike], *, strict_keys: bool = False, max_bytes: int = 0,
                  max_depth: int = 0, max_nodes: int = 0, max_alias_expansion: int = 0) -> "Document":
        flags = STRICT_KEYS if strict_keys else 0
        return cls(_check(_cicd.cicd_py_document_load_file(os.fspath(path), flags, max_bytes, max_depth, max_nodes,
                                                           max_alias_expansion)))

    @classmethod
    def load(cls, text: Union[str, bytes], name: Optional[str] = None, *, strict_keys: bool = False,
             max_bytes: int = 0, max_depth: int = 0, max_nodes: int = 0, max_alias_expansion: int = 0) -> "Document":
        flags = STRICT_KEYS if strict_keys else 0
        return cls(_check(_cicd.cicd_py_document_load_buffer(text, name, 0, flags, max_bytes, max_depth, max_nodes,
                                                             max_alias_expansion)))

    @classmethod
    def load_json(cls, text: Union[str, bytes], name: Optional[str] = None, *, max_depth: int = 0) -> "Document":
        return cls(_check(_cicd.cicd_py_document_load_buffer(text, name, 1, 0, 0, max_depth, 0, 0)))

    _free = staticmethod(_cicd.cicd_document_free)
    _what = "document"

    @property
    def name(self) -> str:
        return _cicd.cicd_document_name(self._live())

    def __len__(self) -> int:
        return _cicd.cicd_document_count(self._live())

    def root(self, index: int = 0) -> Optional["Node"]:
        """The root node of document `index`; None for an empty document."""
        if not 0 <= index < len(self):
            raise IndexError(index)
        n = _cicd.cicd_document_root(self._live(), index)
        return Node(n, self) if n is not None else None

    def line(self, index: int = 0) -> int:
        """The 1-based line where document `index` of the stream starts."""
        if not 0 <= index < len(self):
            raise IndexError(index)
        return _cicd.cicd_document_line(self._live(), index)

    def __iter__(self) -> Iterator[Optional["Node"]]:
        for i in range(len(self)):
            yield self.root(i)

    @property
    def warnings(self) -> list[Diagnostic]:
        return _diagnostics(_cicd.cicd_document_diagnostics(self._live()))


class Node:
    """A node of a Document: a scalar, a sequence or a mapping, with its position."""

    __slots__ = ("_n", "_doc")

    def __init__(self, n, doc: "_Owner"):
        self._n = n
        self._doc = doc  # what keeps the node alive: a Document, or a pipeline or manifest set

    def _p(self):
        self._doc._live()
        return self._n

    @property
    def kind(self) -> str:
        return {1: "scalar", 2: "sequence", 3: "mapping"}[_cicd.cicd_node_kind_of(self._p())]

    @property
    def tag(self) -> str:
        return _cicd.cicd_node_tag(self._p())

    @property
    def file(self) -> str:
        return _cicd.cicd_node_file(self._p())

    @property
    def line(self) -> int:
        return _cicd.cicd_node_line(self._p())

    @property
    def column(self) -> int:
        return _cicd.cicd_node_column(self._p())

    @property
    def style(self) -> Optional[str]:
        """How a scalar was written: "plain", "single-quoted", "double-quoted", "literal" (|) or
        "folded" (>); None for collections. JSON strings are double-quoted, other JSON scalars plain."""
        return _STYLES.get(_cicd.cicd_node_scalar_style(self._p()))

    @property
    def value_type(self) -> Optional[str]:
        """What a scalar means under YAML 1.1 (as GitLab reads it): "null", "bool", "int", "float" or
        "string"; None for collections."""
        return _VALUE_TYPES.get(_cicd.cicd_node_value_type(self._p()))

    @property
    def text(self) -> Optional[str]:
        """A scalar's text as written (after YAML unescaping); None for collections."""
        return _cicd.cicd_py_node_scalar(self._p())

    def __len__(self) -> int:
        return _cicd.cicd_node_size(self._p())

    def __getitem__(self, key: Union[int, str]) -> "Node":
        p = self._p()
        if isinstance(key, int):
            if self.kind != "sequence":
                raise TypeError("only sequences are indexed by position")
            if key < 0:
                key += len(self)
            n = _cicd.cicd_node_item(p, key)
        else:
            n = _cicd.cicd_node_get(p, key)
        if n is None:
            raise KeyError(key) if isinstance(key, str) else IndexError(key)
        return Node(n, self._doc)

    def get(self, key: str, default=None):
        n = _cicd.cicd_node_get(self._p(), key)
        return Node(n, self._doc) if n is not None else default

    def __contains__(self, key: str) -> bool:
        return _cicd.cicd_node_get(self._p(), key) is not None

    def __iter__(self):
        """Items of a sequence, keys (as str) of a mapping."""
        p = self._p()
        kind = self.kind
        for i in range(len(self)):
            if kind == "sequence":
                yield Node(_cicd.cicd_node_item(p, i), self._doc)
            elif kind == "mapping":
                yield _cicd.cicd_py_node_scalar(_cicd.cicd_node_key(p, i))
            else:
                return

    def items(self) -> Iterator[tuple["Node", "Node"]]:
        p = self._p()
        for i in range(len(self) if self.kind == "mapping" else 0):
            yield Node(_cicd.cicd_node_key(p, i), self._doc), Node(_cicd.cicd_node_value(p, i), self._doc)

    def to_json(self, *, pretty: bool = False, sort_keys: bool = False) -> str:
        flags = (_cicd.CICD_FORMAT_PRETTY if pretty else 0) | (_cicd.CICD_FORMAT_SORT_KEYS if sort_keys else 0)
        return _check(_cicd.cicd_node_to_json(self._p(), flags))

    def to_yaml(self, *, sort_keys: bool = False) -> str:
        return _check(_cicd.cicd_node_to_yaml(self._p(), _cicd.CICD_FORMAT_SORT_KEYS if sort_keys else 0))

    def to_python(self) -> Any:
        """The node as plain Python values, scalars typed as YAML 1.1 reads them."""
        return _json.loads(self.to_json())

    def __repr__(self) -> str:
        return f"<cicd.Node {self.kind} at {self.file}:{self.line}:{self.column}>"
