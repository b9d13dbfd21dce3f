"""Just enough multipart/form-data to build the gateway's v2 upstream body and read it back."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mock_gateway.safejson import encode_text

__all__ = ["FormField", "MultipartError", "decode_form", "encode_form"]

_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_DISPOSITION = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


class MultipartError(ValueError):
    """The body is not the multipart form its content type promises."""


@dataclass(frozen=True)
class FormField:
    """One form part: its name, its bytes and, for file parts, the file name."""

    name: str
    value: bytes
    filename: str | None = None

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


def _part(chunk: bytes) -> FormField:
    head, separator, value = chunk.partition(b"\r\n\r\n")
    if not separator:
        raise MultipartError("a form part has no header block")
    params: dict[str, str] = {}
    for line in head.decode("utf-8", "replace").split("\r\n"):
        if line.lower().startswith("content-disposition:"):
            params = dict(_DISPOSITION.findall(line))
    if "name" not in params:
        raise MultipartError("a form part has no name")
    return FormField(params["name"], value, params.get("filename"))


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
