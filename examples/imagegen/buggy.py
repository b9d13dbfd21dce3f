"""Two realistic bugs, each one method away from the real client (for the tests to catch).

Neither shows in the example tests one would write first; the property tests find both.
"""

from __future__ import annotations

import httpx

from imagegen.client import ImageClient, ImageError

__all__ = ["ImpatientClient", "UrlTrustingClient"]


class UrlTrustingClient(ImageClient):
    """Reads ``url`` when it asked for ``url``: right for DALL·E, a KeyError for Stability,
    which answers ``b64_json`` whatever ``response_format`` says."""

    def _unified_image(self, response: httpx.Response) -> bytes:
        if self.response_format == "url":
            return self.http.get(self._json(response)["data"][0]["url"]).content
        return super()._unified_image(response)


class ImpatientClient(ImageClient):
    """Backs off on its own schedule and ignores ``retry-after``."""

    def _wait(self, error: ImageError, attempt: int) -> None:
        self.sleep(0.1 * attempt)
