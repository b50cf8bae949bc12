"""Logging: the library's log lines (kube retries at DEBUG, each request at TRACE) delivered to a
Python callable or to a `logging.Logger`. Secrets are redacted before a line leaves the library."""
from __future__ import annotations

import atexit
import enum
import logging
from typing import Callable, Optional, Union

from . import cicd_c as _cicd


class LogLevel(enum.IntEnum):
    """The library's log levels; a handler gets the lines at or above the level it was installed with."""

    NONE = _cicd.CICD_LOG_NONE
    ERROR = _cicd.CICD_LOG_ERROR
    WARN = _cicd.CICD_LOG_WARN
    INFO = _cicd.CICD_LOG_INFO
    DEBUG = _cicd.CICD_LOG_DEBUG
    TRACE = _cicd.CICD_LOG_TRACE

    def __str__(self) -> str:
        return self.name.lower()


LogHandler = Callable[[LogLevel, str], None]

# The standard library's level for each of ours; TRACE is below DEBUG, as 5.
TRACE = 5
_TO_LOGGING = {LogLevel.ERROR: logging.ERROR, LogLevel.WARN: logging.WARNING, LogLevel.INFO: logging.INFO,
               LogLevel.DEBUG: logging.DEBUG, LogLevel.TRACE: TRACE}


def set_log_handler(handler: Optional[LogHandler], level: Union[LogLevel, int] = LogLevel.DEBUG) -> None:
    """Sends every log line at or above `level` to handler(level, message), on the thread that logs
    (the GIL is taken for it). None, or LogLevel.NONE, turns logging off and releases the handler.
    Process-wide: one handler at a time. An exception in the handler is reported through
    sys.unraisablehook and does not stop the call that logged."""
    level = LogLevel(level)
    if handler is not None and not callable(handler):
        raise TypeError("the log handler must be callable or None")
    _cicd.cicd_py_log_set(handler, LogLevel, int(level))


def log_handler() -> Optional[LogHandler]:
    """The installed handler, or None."""
    return _cicd.cicd_py_log_handler_get()


def _level_for(python_level: int) -> LogLevel:
    """The most detailed level of ours that a logger at python_level would still emit."""
    if python_level <= TRACE:
        return LogLevel.TRACE
    for ours in (LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR):
        if python_level <= _TO_LOGGING[ours]:
            return ours
    return LogLevel.NONE


class _ToLogger:
    """A handler that forwards to a logging.Logger with the matching standard level."""

    __slots__ = ("logger",)

    def __init__(self, logger: logging.Logger):
        self.logger = logger

    def __call__(self, level: LogLevel, message: str) -> None:
        self.logger.log(_TO_LOGGING[level], "%s", message)

    def __repr__(self) -> str:
        return f"<cicd log handler to {self.logger!r}>"


def log_to(logger: Union[logging.Logger, str, None] = "cicd", level: Union[LogLevel, int, None] = None) -> None:
    """Routes the library's lines to a logger (a name is looked up with logging.getLogger): ERROR,
    WARN, INFO and DEBUG become the standard levels, TRACE becomes level 5. Without `level`, the
    library produces only what the logger's current effective level lets through. None turns
    logging off."""
    if logger is None:
        set_log_handler(None)
        return
    if isinstance(logger, str):
        logger = logging.getLogger(logger)
    set_log_handler(_ToLogger(logger), _level_for(logger.getEffectiveLevel()) if level is None else level)


# A line logged while the interpreter shuts down must not reach a half-finalized handler.
atexit.register(_cicd.cicd_py_log_set, None, None, 0)
