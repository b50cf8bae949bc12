"""The base of every Python object that owns a C handle: closed once, by close(), a with block
or the garbage collector, and ValueError naming it when used afterwards."""
from __future__ import annotations

from typing import Any, Callable, Optional


class Handle:
    _free: Optional[Callable[[Any], Any]] = None  # staticmethod(the C free function), set by each subclass
    _what = "object"  # the name in "... is closed"
    _handle = None

    def _live(self):
        if self._handle is None:
            raise ValueError(f"{self._what} is closed")
        return self._handle

    def close(self) -> None:
        if self._handle is not None:
            free = type(self)._free
            assert free is not None, f"{type(self).__name__} sets no _free"
            free(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
