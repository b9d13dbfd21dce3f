"""Wire emulation: JavaScript values and JSON as the gateway reads and writes them, multipart,
redaction of keys, request limits and multi-dict headers."""
