"""Wire format between the client and the token host process.

Frames are a 4-byte big-endian length followed by UTF-8 JSON. Only a closed
set of value types crosses the pipe (no pickle: the host runs vendor code and
its output is data, never something to execute). ``bytes`` travel as base64.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import struct
from enum import Enum
from typing import IO, Any, Final

from signer_app.token.api import (
    CertificateObject,
    PrivateKeyObject,
    SignMechanism,
    SlotInfo,
    TokenInfo,
)

__all__ = ["MAX_FRAME", "decode", "encode", "read_frame", "write_frame"]

#: Upper bound for one frame; a token never returns anything near this.
MAX_FRAME: Final = 16 * 1024 * 1024

_HEADER = struct.Struct(">I")

_DATACLASSES: Final[dict[str, type[Any]]] = {
    cls.__name__: cls for cls in (SlotInfo, TokenInfo, CertificateObject, PrivateKeyObject)
}
_ENUMS: Final[dict[str, type[Enum]]] = {cls.__name__: cls for cls in (SignMechanism,)}


def _to_wire(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, Enum):
        return {"$e": type(value).__name__, "v": value.value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _to_wire(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$t": type(value).__name__, "f": fields}
    if isinstance(value, list | tuple):
        return [_to_wire(v) for v in value]
    if isinstance(value, dict):
        return {"$d": [[_to_wire(k), _to_wire(v)] for k, v in value.items()]}
    raise TypeError(f"cannot send {type(value).__name__} to the token host")


def _from_wire(value: object) -> object:
    if isinstance(value, list):
        return [_from_wire(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$b" in value:
        return base64.b64decode(str(value["$b"]), validate=True)
    if "$e" in value:
        return _ENUMS[str(value["$e"])](value["v"])
    if "$t" in value:
        cls = _DATACLASSES[str(value["$t"])]
        raw = value["f"]
        if not isinstance(raw, dict):
            raise ValueError("malformed dataclass frame")
        return cls(**{k: _from_wire(v) for k, v in raw.items()})
    if "$d" in value:
        pairs = value["$d"]
        if not isinstance(pairs, list):
            raise ValueError("malformed mapping frame")
        return {_from_wire(k): _from_wire(v) for k, v in pairs}
    raise ValueError("unknown frame value")


def encode(message: dict[str, object]) -> bytes:
    """Encode one message (a mapping of plain values) to a frame payload."""
    return json.dumps(_to_wire(message), separators=(",", ":")).encode("utf-8")


def decode(payload: bytes) -> dict[Any, Any]:
    """Decode a frame payload produced by :func:`encode`.

    :raises ValueError: on anything that is not a well-formed message.
    """
    value = _from_wire(json.loads(payload.decode("utf-8")))
    if not isinstance(value, dict):
        raise ValueError("a message must be a mapping")
    return value


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    """Write one length-prefixed frame and flush it."""
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(stream: IO[bytes]) -> bytes | None:
    """Read one frame; ``None`` at end of stream (the peer has gone).

    :raises ValueError: on an oversized or truncated frame.
    """
    header = _read_exactly(stream, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > MAX_FRAME:
        raise ValueError(f"frame of {size} bytes exceeds the limit")
    payload = _read_exactly(stream, size)
    if payload is None:
        raise ValueError("truncated frame")
    return payload
