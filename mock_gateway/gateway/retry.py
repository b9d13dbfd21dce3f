"""Retries of one target (src/handlers/retryHandler.ts, handlerUtils.ts; facts §5.1).

``attempts`` N allows N retries: N + 1 calls. Backoff is async-retry's with randomize off:
1 s, 2 s, 4 s, ... (shrunk by the app's time scale, recorded faithfully in the journal).
A status in ``on_status_codes`` (default per profile when attempts > 0) or a network failure
is retried; any other answer ends the attempts. ``x-portkey-retry-attempt-count`` is the
number of retries made, or -1 when the last answer was still retryable (or a retry-after
wait was too long to honour).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from mock_gateway.gateway.profiles import Profile
from mock_gateway.upstream import UpstreamResponse
from mock_gateway.wire.js import is_number

__all__ = ["MOCK_MAX_RETRIES", "with_retries"]

# The mock's own cap on one target's retries where the profile has none (the OSS gateway):
# it bounds the upstream attempts (and journal records) one request can make.
MOCK_MAX_RETRIES = 100

_MAX_RETRY_AFTER_MS = 60_000  # MAX_RETRY_LIMIT_MS (src/globals.ts)
_RETRY_AFTER_HEADERS = ("retry-after-ms", "x-ms-retry-after-ms", "retry-after")  # in this order
# What the npm build answers when asked to honour retry-after (MEASURED §5.1, instance A).
_BROKEN_RETRY_AFTER = (
    b"Message: Cannot set properties of undefined (setting '_timeouts') Cause: NA Name: TypeError"
)


def _retries(value: Any, profile: Profile) -> int:
    """How many retries one target makes: the config's, within the profile's cap, else ours.

    The open-source gateway has no cap (``MAX_RETRIES = 5`` is never used): async-retry builds
    its array of N backoff timeouts before the first call, so a huge N exhausts Node's heap
    and ``Infinity`` loops for ever. The mock stops at ``MOCK_MAX_RETRIES``, which no real run
    reaches on the doubling backoff (the 30th retry alone waits 17 years).
    """
    if not is_number(value):
        return 0
    cap = profile.max_retry_attempts
    return int(max(0, min(value, MOCK_MAX_RETRIES if cap is None else cap)))


def _retry_after_ms(response: UpstreamResponse) -> float | None:
    for name in _RETRY_AFTER_HEADERS:
        value = response.header(name)
        if value:
            try:
                amount = int(value.strip().split(".")[0])  # Number.parseInt
            except ValueError:
                return None
            return amount * 1000.0 if name == "retry-after" else float(amount)
    return None


def _hits_broken_retry_after(
    response: UpstreamResponse, retryable: bool, honour: bool, profile: Profile
) -> bool:
    """A retryable 429 with a usable retry-after header, in a build where honouring it throws."""
    if not (profile.retry_after_broken and honour and retryable and response.status == 429):
        return False
    return bool(_retry_after_ms(response))  # no header, NaN or 0: the ordinary retry path


async def with_retries(
    send: Callable[[], Awaitable[UpstreamResponse]],
    retry: Mapping[str, Any],
    profile: Profile,
    wait: Callable[[float], Awaitable[None]],
) -> tuple[UpstreamResponse, int]:
    """Call ``send`` until it answers something not to retry; (last answer, retry count)."""
    attempts = _retries(retry.get("attempts"), profile)
    codes = retry.get("onStatusCodes")
    if not isinstance(codes, list):
        codes = list(profile.default_retry_codes) if attempts > 0 else []
    honour_retry_after = bool(retry.get(profile.retry_after_option))
    made, budget, backoff_zero, skipped = 0, float(_MAX_RETRY_AFTER_MS), False, False
    while True:
        response = await send()
        retryable = response.status in codes or bool(response.meta.get("network"))
        # Setting `op._timeouts` throws a TypeError inside the attempt. async-retry takes it
        # for an ordinary failure (plain backoff) while attempts remain, and bails with it on
        # the last (measured by the conformance suite against 1.15.2 from npm).
        if made >= attempts and _hits_broken_retry_after(
            response, retryable, honour_retry_after, profile
        ):
            headers = (("content-type", "text/plain;charset=UTF-8"),)
            return UpstreamResponse(500, headers, _BROKEN_RETRY_AFTER, {"network": True}), -1
        if not retryable or made >= attempts:
            break
        delay = 0.0 if backoff_zero else 1000.0 * 2**made
        if response.status == 429 and honour_retry_after and not profile.retry_after_broken:
            after = _retry_after_ms(response)
            if after:
                if after >= _MAX_RETRY_AFTER_MS or after > budget:
                    skipped = True
                    break
                budget -= after
                delay, backoff_zero = after, True  # the remaining backoff timeouts become 0
        await wait(delay)
        made += 1
    exhausted = made == attempts and response.status in codes
    return response, -1 if exhausted or skipped else made
