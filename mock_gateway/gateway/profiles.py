"""Behaviour profiles: where hosted Portkey and the open-source gateway differ, as data.

Handlers never ask "which profile is this?"; they read one of these fields. Sources are
`docs/facts/portkey-gateway-behavior.md` (§ numbers below) unless a comment says so.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import Literal

__all__ = ["DEFAULT_PROFILE", "DEPRECATED_NAMES", "PROFILES", "Profile", "get_profile"]


@dataclass(frozen=True)
class Profile:
    """One gateway flavour. Every field names a behaviour that differs between flavours."""

    name: str
    description: str
    # §2 / §7: OSS answers an empty `x-portkey-trace-id` when none was sent; hosted makes one.
    generate_trace_id: bool
    # §3.4: `created` on Stability responses is int seconds since commit 5f0a552b (2024-10-22);
    # the seed thread (hosted, March 2024) shows a string of milliseconds.
    created: Literal["seconds", "milliseconds-string"]
    # §4.1: the proxy route appends the path after /v1 to https://api.stability.ai, so OSS
    # 1.15.2 sends /v1/generation/... to /generation/... and real Stability 404s. Before commit
    # 437fb1c3 (2024-09-17) the base was .../v1, which is what made the forum's proxy call work
    # on hosted; v2beta calls (/v1/v2beta/...) need the base without /v1. With this True the
    # /v1 is put back for paths that name no Stability API version, so both work: the intended
    # behaviour. NOT VERIFIED against hosted Portkey today (the forum is its only observation).
    stability_proxy_restores_v1: bool
    # §4.2: a JSON proxy body without a v1 `model` is sent as the 15 bytes "[object Object]".
    proxy_object_object_bug: bool
    # §4.3: the npm build (@hono/node-server >= 1.14.3) turns every 2xx proxy answer into
    # 500 "Something went wrong" with x-portkey-gateway-exception.
    proxy_immutable_headers_bug: bool
    # OpenAI shut dall-e-2 and dall-e-3 down on 2026-05-12 (deprecations page). False keeps
    # serving them as documented, for code written against them; True answers as today.
    openai_dall_e_retired: bool = False
    # §5.1: the status codes retried when `retry.on_status_codes` is not given (attempts > 0).
    # OSS: RETRY_STATUS_CODES; hosted docs (automatic-retries.mdx) add 529.
    default_retry_codes: tuple[int, ...] = (429, 500, 502, 503, 504)
    # Hosted docs: at most 5 attempts. OSS defines MAX_RETRIES = 5 but never applies it.
    max_retry_attempts: int | None = None
    # §5.1: the option that honours retry-after on a 429: hosted spells it plural.
    retry_after_option: str = "useRetryAfterHeader"
    # §5.1: in the npm build patch-package never ran, so honouring retry-after throws inside
    # async-retry: a 500 "Invalid response ... Cannot set properties of undefined" when the
    # last attempt gets the 429; earlier ones fall back to plain backoff (conformance suite).
    retry_after_broken: bool = False
    # §1.5 / §7: hosted requires x-portkey-api-key and resolves config ids, virtual keys and
    # @provider-slug providers (from the mock's registry). OSS supports none of them.
    hosted_features: bool = False
    # Hosted Portkey's cache (config `cache`, mock_gateway.gateway.cache). The open-source
    # gateway's node build has no cache backend, so it answers DISABLED (§2, measured).
    cache: bool = False


_HOSTED_RETRY_CODES = (429, 500, 502, 503, 504, 529)

_HOSTED = Profile(
    name="hosted",
    description="hosted Portkey and its providers as they answer today (DALL·E retired)",
    generate_trace_id=True,
    created="seconds",
    stability_proxy_restores_v1=True,
    proxy_object_object_bug=False,
    proxy_immutable_headers_bug=False,
    default_retry_codes=_HOSTED_RETRY_CODES,
    max_retry_attempts=5,
    retry_after_option="useRetryAfterHeaders",
    hosted_features=True,
    cache=True,
    openai_dall_e_retired=True,
)
_OSS = Profile(
    name="oss",
    description="open-source gateway 1.15.2 with its lockfile's @hono/node-server 1.13.5",
    generate_trace_id=False,
    created="seconds",
    stability_proxy_restores_v1=False,
    proxy_object_object_bug=True,
    proxy_immutable_headers_bug=False,
)

PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        _HOSTED,
        replace(
            _HOSTED,
            name="hosted-2025",
            description="hosted Portkey before 2026-05-12 (OpenAI served DALL·E 2 and 3)",
            openai_dall_e_retired=False,
        ),
        replace(
            _HOSTED,
            name="hosted-2024",
            description="hosted Portkey as the seed thread saw it in March 2024 (created in ms)",
            created="milliseconds-string",
            openai_dall_e_retired=False,
        ),
        _OSS,
        replace(
            _OSS,
            name="oss-npm",
            description="open-source gateway 1.15.2 as `npm install` ships it (proxy 2xx -> 500)",
            proxy_immutable_headers_bug=True,
            retry_after_broken=True,
        ),
    )
}

DEFAULT_PROFILE = "hosted"

# Names that still work, with a DeprecationWarning, and the profile they now mean. Until
# 2026-12 `hosted` served DALL·E and `hosted-dalle-retired` was today's behaviour; today's
# behaviour is now `hosted` itself (issue #19).
DEPRECATED_NAMES: dict[str, str] = {"hosted-dalle-retired": "hosted"}


def get_profile(name: str) -> Profile:
    """The profile called ``name``; ``ValueError`` listing the known names otherwise."""
    if name in DEPRECATED_NAMES:
        warnings.warn(
            f"profile {name!r} is deprecated: it is now the default, {DEPRECATED_NAMES[name]!r}",
            DeprecationWarning,
            stacklevel=2,
        )
        name = DEPRECATED_NAMES[name]
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(f"unknown profile {name!r}; choose one of: {known}") from None
