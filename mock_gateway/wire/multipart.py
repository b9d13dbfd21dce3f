"""Just enough multipart/form-data to build the gateway's v2 upstream body and read it back."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mock_gateway.wire.safejson import encode_text

__all__ = ["FormField", "MultipartError", "decode_form", "encode_form", "encode_parts"]

_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_DISPOSITION = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


class MultipartError(ValueError):
    """The body is not the multipart form its content type promises."""


@dataclass(frozen=True)
class FormField:
    """One form part: its name, its bytes and, for file parts, the file name and the part's
    own ``Content-Type`` (``None`` when it has none)."""

    name: str
    value: bytes
    filename: str | None = None
    content_type: str | None = None

    @property
    def text(self) -> str:
        """The value decoded as UTF-8 (undecodable bytes replaced)."""
        return self.value.decode("utf-8", "replace")


def encode_form(fields: list[tuple[str, str]], boundary: str) -> bytes:
    """Text fields as undici encodes FormData: CRLF lines, one part per field, in order."""
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields
    ]
    # FormData holds USVStrings: a lone surrogate (from a JSON escape) becomes U+FFFD.
    return encode_text("".join(parts) + f"--{boundary}--\r\n")


def _escape(name: str) -> str:
    # undici's FormData escapes these three in a part's name and filename.
    return name.replace("\n", "%0A").replace("\r", "%0D").replace('"', "%22")


def encode_parts(fields: list[FormField], boundary: str) -> bytes:
    """Text and file parts as undici re-encodes a FormData it parsed: a file keeps its
    filename and its type (``application/octet-stream`` when it had none)."""
    chunks = []
    for field in fields:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{_escape(field.name)}"'
        if field.filename is not None:
            kind = field.content_type or "application/octet-stream"
            head += f'; filename="{_escape(field.filename)}"\r\nContent-Type: {kind}'
        chunks += [encode_text(head + "\r\n\r\n"), field.value, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks)


def _part(chunk: bytes) -> FormField:
    head, separator, value = chunk.partition(b"\r\n\r\n")
    if not separator:
        raise MultipartError("a form part has no header block")
    params: dict[str, str] = {}
    content_type = None
    for line in head.decode("utf-8", "replace").split("\r\n"):
        lowered = line.lower()
        if lowered.startswith("content-disposition:"):
            params = dict(_DISPOSITION.findall(line))
        elif lowered.startswith("content-type:"):
            content_type = line.partition(":")[2].strip()
    if "name" not in params:
        raise MultipartError("a form part has no name")
    return FormField(params["name"], value, params.get("filename"), content_type)


def decode_form(body: bytes, content_type: str) -> list[FormField]:
    """The parts of a multipart body, in order; ``MultipartError`` if it is malformed."""
    match = _BOUNDARY.search(content_type)
    if not match:
        raise MultipartError("multipart/form-data without a boundary")
    delimiter = b"--" + match.group(1).encode()
    chunks = body.split(delimiter)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise MultipartError("the body does not end with the closing boundary")
    fields = []
    for chunk in chunks[1:-1]:
        if not chunk.startswith(b"\r\n") or not chunk.endswith(b"\r\n"):
            raise MultipartError("a form part is not delimited by CRLF")
        fields.append(_part(chunk[2:-2]))
    return fields
