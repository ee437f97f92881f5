"""Reading a GGUF file's header: its metadata key/values and its tensors' shapes, never the tensors.

Hand-written from the format's specification (ggml's docs/gguf.md): the `gguf` package is not a
dependency of the extension (it is not in its environment, and its reader maps every tensor through
numpy), and the header is a short run of little-endian fields:

    magic "GGUF" · version u32 · tensor count u64 · metadata count u64
    metadata: key (string) · value type u32 · value      (string: length u64 + UTF-8 bytes;
                                                          array: item type u32 + count u64 + items)
    tensor infos: name (string) · n_dims u32 · dims u64 × n_dims · ggml type u32 · offset u64

Versions 2 and 3 share this layout (version 1 counted in u32 and is long gone). The file is mapped,
not read: a header of 300,000 vocabulary strings is walked in place, and the weights after it are
never touched. Scalars are kept; an array keeps its length only (the vocabulary's is its size).
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
# Bounds a real header stays far below; past them the file is corrupt or hostile, not a model.
MAX_COUNT = 10_000_000  # metadata entries, tensors, array items
MAX_STRING_BYTES = 64 * 1024 * 1024  # a chat template is kilobytes
MAX_DIMS = 8  # ggml tensors have at most 4

# Value types (gguf.md's gguf_metadata_value_type) with their fixed-size struct formats.
_STRING, _ARRAY = 8, 9
_SCALARS = {
    0: "<B",  # uint8
    1: "<b",  # int8
    2: "<H",  # uint16
    3: "<h",  # int16
    4: "<I",  # uint32
    5: "<i",  # int32
    6: "<f",  # float32
    7: "<?",  # bool
    10: "<Q",  # uint64
    11: "<q",  # int64
    12: "<d",  # float64
}

_U64 = struct.Struct("<Q")

Scalar = int | float | bool | str


@dataclass(frozen=True)
class GgufHeader:
    version: int
    metadata: dict[str, Scalar]  # the scalar key/values ("general.architecture": "llama", …)
    array_lengths: dict[str, int]  # each array's length ("tokenizer.ggml.tokens": 128256, …)
    tensor_count: int
    parameter_count: int  # the elements of every tensor: its shape, whatever its quantized storage


class _Reader:
    def __init__(self, data: mmap.mmap) -> None:
        self.data, self.at = data, 0

    def take(self, fmt: str) -> int | float | bool:
        size = struct.calcsize(fmt)
        if self.at + size > len(self.data):
            raise ValueError("the header ends before the file says it does")
        (value,) = struct.unpack_from(fmt, self.data, self.at)
        self.at += size
        return value

    def count(self) -> int:
        value = int(self.take("<Q"))
        if value > MAX_COUNT:
            raise ValueError(f"a count of {value:,} is past what a GGUF header holds")
        return value

    def string(self) -> str:
        length = int(self.take("<Q"))
        if length > MAX_STRING_BYTES or self.at + length > len(self.data):
            raise ValueError(f"a string of {length:,} bytes does not fit the file")
        raw = self.data[self.at : self.at + length]
        self.at += length
        return raw.decode("utf-8", errors="replace")

    def skip_string(self) -> None:
        length = int(self.take("<Q"))
        if length > MAX_STRING_BYTES or self.at + length > len(self.data):
            raise ValueError(f"a string of {length:,} bytes does not fit the file")
        self.at += length

    def _skip_strings(self, count: int) -> None:
        # The vocabulary and merges: hundreds of thousands of strings, so the loop stays this small.
        data, at, end, unpack = self.data, self.at, len(self.data), _U64.unpack_from
        for _ in range(count):
            if at + 8 > end:
                raise ValueError("the header ends before the file says it does")
            at += 8 + unpack(data, at)[0]
        if at > end:
            raise ValueError("a string array runs past the end of the file")
        self.at = at

    def value(self, kind: int) -> Scalar:
        if kind == _STRING:
            return self.string()
        fmt = _SCALARS.get(kind)
        if fmt is None:
            raise ValueError(f"unknown metadata value type {kind}")
        return self.take(fmt)

    def skip_array(self) -> int:
        """Steps over an array (fixed-size items at once, strings one length at a time); its length."""
        kind, length = int(self.take("<I")), self.count()
        if kind == _STRING:
            self._skip_strings(length)
        elif kind == _ARRAY:
            for _ in range(length):
                self.skip_array()
        elif kind in _SCALARS:
            size = struct.calcsize(_SCALARS[kind]) * length
            if self.at + size > len(self.data):
                raise ValueError("an array runs past the end of the file")
            self.at += size
        else:
            raise ValueError(f"unknown array item type {kind}")
        return length


def read_gguf_header(file: Path) -> GgufHeader:
    """The header of the GGUF file `file`. Raises ValueError for anything that is not a well-formed
    little-endian GGUF header of version 2 or 3, OSError when the file cannot be read."""
    with file.open("rb") as fh:
        if file.stat().st_size < 24:
            raise ValueError("the file is shorter than a GGUF header")
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return _parse(_Reader(data))


def _parse(reader: _Reader) -> GgufHeader:
    if reader.data[:4] != MAGIC:
        raise ValueError("not a GGUF file (no GGUF magic)")
    reader.at = 4
    version = int(reader.take("<I"))
    if version not in SUPPORTED_VERSIONS:
        # A big-endian file reads as a huge version here: both are beyond this reader.
        raise ValueError(f"GGUF version {version} is not one this reader knows (2, 3)")
    tensors, entries = reader.count(), reader.count()
    metadata: dict[str, Scalar] = {}
    arrays: dict[str, int] = {}
    for _ in range(entries):
        key = reader.string()
        kind = int(reader.take("<I"))
        if kind == _ARRAY:
            arrays[key] = reader.skip_array()
        else:
            metadata[key] = reader.value(kind)
    parameters = 0
    for _ in range(tensors):
        reader.skip_string()  # the tensor's name
        dims = int(reader.take("<I"))
        if dims > MAX_DIMS:
            raise ValueError(f"a tensor of {dims} dimensions is not a ggml tensor")
        elements = 1
        for _ in range(dims):
            elements *= int(reader.take("<Q"))
        reader.take("<I")  # ggml type
        reader.take("<Q")  # offset of its data
        parameters += elements
    return GgufHeader(version, metadata, arrays, tensors, parameters)
