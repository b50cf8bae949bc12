"""Masking a job trace as it streams, with the runner's CRC-32 of what was emitted."""
from __future__ import annotations

from typing import Iterable, Iterator, Union

from . import cicd_c as _cicd
from ._errors import _check
from ._handle import Handle

Data = Union[bytes, bytearray, memoryview, str]


def _bytes(v: Union[str, bytes], what: str) -> bytes:
    if isinstance(v, str):
        return v.encode("utf-8")
    if isinstance(v, (bytes, bytearray)):
        return bytes(v)
    raise TypeError(f"{what}: expected str or bytes, not {type(v).__name__}")


class Masker(Handle):
    """Replaces masked values, GitLab token suffixes and secret URL parameters with [MASKED].

    write() returns what can be decided so far (bytes that may still start a
    secret are held back); finish() returns the rest. Not shared between
    threads. Use as a context manager or call close()."""

    def __init__(self, values: Iterable[Union[str, bytes]], *, token_prefixes: bool = True, url_params: bool = True,
                 extra_prefixes: Iterable[str] = (), max_phrases: int = 0, max_phrase_len: int = 0):
        self._handle = None
        if isinstance(values, (str, bytes)):
            raise TypeError("values: expected an iterable of str or bytes, not a single string")
        vals = [_bytes(v, "values") for v in values]
        prefixes = [_bytes(p, "extra_prefixes") for p in extra_prefixes]
        if any(b"\0" in p for p in prefixes):
            raise ValueError("extra_prefixes: a prefix cannot contain NUL")
        flags = (0 if token_prefixes else _cicd.CICD_MASK_NO_TOKEN_PREFIXES) | \
            (0 if url_params else _cicd.CICD_MASK_NO_URL_PARAMS)
        self._handle = _check(_cicd.cicd_py_mask_new(vals, flags, prefixes, max_phrases, max_phrase_len))

    _free = staticmethod(_cicd.cicd_mask_free)
    _what = "masker"

    def write(self, data: Data) -> bytes:
        if isinstance(data, memoryview):
            data = data.tobytes()
        return _check(_cicd.cicd_py_mask_write(self._live(), data))

    def finish(self) -> bytes:
        return _check(_cicd.cicd_py_mask_finish(self._live()))

    def mask(self, chunks: Iterable[Data]) -> Iterator[bytes]:
        """Masks a stream of chunks, then what is held back; yields only non-empty output."""
        for chunk in chunks:
            out = self.write(chunk)
            if out:
                yield out
        out = self.finish()
        if out:
            yield out

    @property
    def crc32(self) -> int:
        """CRC-32 (IEEE, as zlib.crc32) of every byte returned so far."""
        return _cicd.cicd_mask_crc32(self._live())

    @property
    def byte_count(self) -> int:
        """Number of bytes returned so far."""
        return _cicd.cicd_mask_bytes(self._live())



def crc32(data: Data, crc: int = 0) -> int:
    """Updates a CRC-32 (IEEE, as zlib.crc32): start with 0."""
    if isinstance(data, memoryview):
        data = data.tobytes()
    return _cicd.cicd_py_crc32(crc, data)
