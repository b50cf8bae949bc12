"""GitLab's `rules:if` expressions and variable expansion.

Variables come from any mapping of names to str (or bytes); a missing key or
None is an undefined variable. os.environ works as it is.
"""
from __future__ import annotations

from typing import Mapping, Optional, Union

from . import cicd_c as _cicd
from ._errors import _check
from ._handle import Handle

Variables = Optional[Mapping[str, Union[str, bytes, None]]]


class Expression(Handle):
    """A compiled `rules:if` expression; immutable, evaluate it as often as needed.

    Syntax errors raise ParseError with the position of the offending token,
    in the coordinates given by file, line and column (the expression's place
    in its .gitlab-ci.yml). Use as a context manager or call close()."""

    def __init__(self, text: Union[str, bytes], *, file: Optional[str] = None, line: int = 0, column: int = 0,
                 max_tokens: int = 0, max_bytes: int = 0):
        self._handle = None
        self._handle = _check(_cicd.cicd_py_expr_compile(text, file, line, column, max_tokens, max_bytes))

    _free = staticmethod(_cicd.cicd_expr_free)
    _what = "expression"

    @property
    def text(self) -> str:
        return _cicd.cicd_expr_text(self._live())

    @property
    def variables(self) -> list[str]:
        """Names of the variables the expression reads, in order of first use."""
        h = self._live()
        return [_cicd.cicd_expr_variable_name(h, i) for i in range(_cicd.cicd_expr_variable_count(h))]

    def evaluate(self, variables: Variables = None) -> bool:
        """True when the expression holds for these variables (GitLab's semantics)."""
        return _check(_cicd.cicd_py_expr_eval(self._live(), variables))

    __call__ = evaluate

    def __repr__(self) -> str:
        return f"<cicd.Expression {self.text!r}>" if self._handle is not None else "<cicd.Expression closed>"


def expand(text: Union[str, bytes], variables: Variables = None, *, keep_undefined: bool = False,
           unescape: bool = False) -> str:
    """Expands $NAME, ${NAME} and %NAME% in text as GitLab expands variable values."""
    flags = (_cicd.CICD_EXPAND_KEEP_UNDEFINED if keep_undefined else 0) | \
        (_cicd.CICD_EXPAND_UNESCAPE if unescape else 0)
    return _check(_cicd.cicd_py_expand(text, flags, variables))
