"""imagegen: a small client library, as a user of Portkey might write it (see client.py)."""

from imagegen.client import (
    BadResponse,
    ContentFiltered,
    GatewayTimeout,
    ImageClient,
    ImageError,
    ProviderError,
    RateLimited,
)

__all__ = [
    "BadResponse",
    "ContentFiltered",
    "GatewayTimeout",
    "ImageClient",
    "ImageError",
    "ProviderError",
    "RateLimited",
]
