"""Errors of libcicd as Python exceptions, and the status check every call goes through.

The C library reports failures through return codes and a thread-local last
error; _check() turns a negative status into the matching exception right
after the call, on the same thread, before another call can replace it.
"""
from __future__ import annotations

from . import cicd_c as _cicd


class Error(Exception):
    """A libcicd failure: `code` (a negative CICD_E* number), `name`, `message`, and for input
    errors `file`, `line` and `column` (1-based; 0 when unknown). Validation failures carry
    `diagnostics`, failed kube apply sets `results` (an ApplyResult per object reported)."""

    def __init__(self, code: int, message: str, file: str = "", line: int = 0, column: int = 0):
        self.code = code
        self.name = _cicd.cicd_error_name(code)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.diagnostics: list = []  # every error and warning, for validation failures
        self.results: list = []  # what happened to each object, for failed kube apply sets
        where = f"{file}:{line}:{column}: " if file and line else ""
        super().__init__(f"{where}{message}")


class NoMemoryError(Error, MemoryError):
    pass


class NotFoundError(Error, LookupError):
    pass


class InvalidArgumentError(Error, ValueError):
    pass


class ParseError(Error, ValueError):
    pass


class LimitError(Error):
    pass


class IOError_(Error, OSError):
    pass


class ValidationError(Error, ValueError):
    pass


class TimeoutError_(Error, TimeoutError):
    pass


class ExistsError(Error):
    pass


class ConflictError(Error):
    pass


class DeniedError(Error, PermissionError):
    pass


class UnsupportedError(Error, NotImplementedError):
    pass


class CanceledError(Error):
    pass


class HTTPError(Error):
    pass


class AuthError(Error, PermissionError):
    pass


class TLSError(Error):
    pass


class StoreError(Error):
    pass


_BY_CODE = {
    _cicd.CICD_ENOMEM: NoMemoryError,
    _cicd.CICD_ENOTFOUND: NotFoundError,
    _cicd.CICD_EINVALID: InvalidArgumentError,
    _cicd.CICD_EPARSE: ParseError,
    _cicd.CICD_ELIMIT: LimitError,
    _cicd.CICD_EIO: IOError_,
    _cicd.CICD_EVALIDATE: ValidationError,
    _cicd.CICD_ETIMEOUT: TimeoutError_,
    _cicd.CICD_EEXISTS: ExistsError,
    _cicd.CICD_ECONFLICT: ConflictError,
    _cicd.CICD_EDENIED: DeniedError,
    _cicd.CICD_EUNSUPPORTED: UnsupportedError,
    _cicd.CICD_ECANCELED: CanceledError,
    _cicd.CICD_EHTTP: HTTPError,
    _cicd.CICD_EAUTH: AuthError,
    _cicd.CICD_ETLS: TLSError,
    _cicd.CICD_ESTORE: StoreError,
}


def _error_for(code: int, message: str, file: str = "", line: int = 0, column: int = 0) -> Error:
    """The exception for a code reported as data (a callback's item), not through the last error."""
    return _BY_CODE.get(code, Error)(code, message, file, line, column)


def _raise_last(rc: int) -> None:
    """Raises the thread's last error; called right after the failing call."""
    code, message, file, line, column = _cicd.cicd_py_error_last()
    if code != rc:
        code, message, file, line, column = rc, _cicd.cicd_strerror(rc), "", 0, 0
    raise _BY_CODE.get(code, Error)(code, message, file, line, column)


def _raise_with(rc: int, diagnostics: list) -> None:
    """Raises the last error with the diagnostics of the failed call attached."""
    try:
        _raise_last(rc)
    except Error as e:
        e.diagnostics = diagnostics
        raise


def _check(result):
    """Splits a SWIG result [status, outputs...] and raises on a negative status."""
    if isinstance(result, list):
        rc, rest = result[0], result[1:]
    else:
        rc, rest = result, []
    if rc < 0:
        _raise_last(rc)
    if not rest:
        return None
    return rest[0] if len(rest) == 1 else tuple(rest)


class Diagnostic:
    """One problem found in input: severity ("error" or "warning"), message and position."""

    __slots__ = ("severity", "code", "message", "file", "line", "column")

    def __init__(self, severity: str, code: int, message: str, file: str, line: int, column: int):
        self.severity = severity
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column

    @classmethod
    def _from_c(cls, d) -> "Diagnostic":
        return cls("warning" if d.severity == _cicd.CICD_SEVERITY_WARNING else "error", d.code, d.message, d.file,
                   d.line, d.column)

    @classmethod
    def _from_tuple(cls, t) -> "Diagnostic":
        severity, code, message, file, line, column = t
        return cls("warning" if severity == _cicd.CICD_SEVERITY_WARNING else "error", code, message, file, line,
                   column)

    def __eq__(self, other) -> bool:
        return isinstance(other, Diagnostic) and all(getattr(self, a) == getattr(other, a) for a in self.__slots__)

    def __repr__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"


def _diagnostics(handle) -> list[Diagnostic]:
    return [Diagnostic._from_c(_cicd.cicd_diagnostics_get(handle, i)) for i in range(_cicd.cicd_diagnostics_count(handle))]

