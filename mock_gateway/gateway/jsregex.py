"""``new RegExp(pattern).test(text)`` for the conditional router's ``$regex``, on a time budget.

The pattern is user input. V8 backtracks, so ``^(a|a)*$`` against 30 a's and a ``!`` takes
the real gateway minutes, and Python's ``re`` (which cannot be interrupted) as long, holding
the event loop. The ``regex`` package (mrab-regex) takes a ``timeout`` and releases the GIL
while it matches: the router gives a condition ``INLINE_BUDGET`` on the event loop, then, if
it needs more, ``REGEX_BUDGET`` in a worker thread; past that ``RegexTimeout``, which the routes
answer with the mock's own 400 (``x-mock-error``) rather than keep the request for minutes.

JS semantics kept for ordinary patterns (no flags, as the router compiles them): ``$`` is the
end of the input only, ``.`` stops at any line terminator, ``\\d`` and ``\\w`` are ASCII,
``\\s`` is JS's white space, ``[^]`` is any character and ``[]`` none.
"""

from __future__ import annotations

import functools

import regex

__all__ = ["INLINE_BUDGET", "REGEX_BUDGET", "RegexTimeout", "compile_js", "search"]

INLINE_BUDGET = 0.005  # seconds a match may hold the event loop
REGEX_BUDGET = 0.25  # seconds a match may take in all, in a worker thread

_SPACE = "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_OUTSIDE = {
    "$": "\\Z",
    ".": "[^\\n\\r\\u2028\\u2029]",
}
_ESCAPES_OUTSIDE = {"s": f"[{_SPACE}]", "S": f"[^{_SPACE}]"}


class RegexTimeout(Exception):
    """A ``$regex`` match ran past the mock's budget."""


def _translate(pattern: str) -> str:
    out: list[str] = []
    in_class, index = False, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            if in_class:
                out.append(_SPACE if escaped == "s" else "\\" + escaped)
            else:
                out.append(_ESCAPES_OUTSIDE.get(escaped, "\\" + escaped))
            index += 2
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
        elif pattern.startswith("[^]", index):  # JS: any character
            out.append("[\\s\\S]")
            index += 2
        elif pattern.startswith("[]", index):  # JS: an empty class, which matches nothing
            out.append("(?!)")
            index += 1
        else:
            in_class = char == "["
            out.append(_OUTSIDE.get(char, char))
        index += 1
    return "".join(out)


@functools.lru_cache(maxsize=256)
def compile_js(pattern: str) -> regex.Pattern[str]:
    """The pattern as ``regex`` compiles it with JS's meaning; ``regex.error`` if invalid."""
    return regex.compile(_translate(pattern), regex.ASCII | regex.VERSION0)


def search(pattern: str, text: str, budget: float = REGEX_BUDGET) -> bool:
    """Whether ``pattern`` matches in ``text``; ``RegexTimeout`` past ``budget`` seconds."""
    try:
        return compile_js(pattern).search(text, timeout=budget, concurrent=True) is not None
    except TimeoutError:
        raise RegexTimeout(
            f"mock-portkey-gateway: the $regex pattern {pattern[:80]!r} ran past the mock's "
            f"{REGEX_BUDGET * 1000:g} ms budget on a {len(text)}-character value (catastrophic "
            "backtracking: the real gateway would hold the request, and every other, far longer)"
        ) from None
