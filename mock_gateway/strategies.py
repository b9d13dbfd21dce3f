"""Hypothesis strategies for testing code that talks to Portkey, against the whole space of
gateway behaviours rather than the three examples one thinks of::

    from hypothesis import given
    from mock_gateway import strategies as pst

    @given(pst.image_requests(provider="stability-ai"))
    def test_my_client(request): ...

Requests (``image_requests``, ``stability_v1_requests``, ``stability_v2beta_requests``) are
``ImageRequest`` values that know what the real API answers them; ``valid=False`` gives
requests it refuses, with the ``reason``. ``image_edit_requests`` gives OpenAI image edits
(``ImageEditRequest``: multipart with small real images, valid or refused).
``portkey_configs`` gives ``x-portkey-config`` objects; ``gateway_responses`` answers with
real, small images and every error envelope; ``stability_input_images`` small image files
Stability's images-in endpoints accept or refuse; ``scenarios`` sequences of upstream
behaviours that ``Scenario.apply(portkey_mock)`` replays.
Every one validates against its contract in ``contracts/`` (a test guards it). Needs
Hypothesis: ``python -m pip install 'mock-portkey-gateway[hypothesis]'``.
"""

from __future__ import annotations

try:
    import hypothesis as _hypothesis  # noqa: F401  # checked first, to say what to install
except ImportError as error:  # pragma: no cover - exercised only without Hypothesis
    raise ImportError(
        "mock_gateway.strategies needs Hypothesis: "
        "python -m pip install 'mock-portkey-gateway[hypothesis]'"
    ) from error

from mock_gateway._strategies.common import ImageRequest
from mock_gateway._strategies.configs import PortkeyConfig, portkey_configs
from mock_gateway._strategies.edits import ImageEditRequest, image_edit_requests
from mock_gateway._strategies.input_images import InputImage, stability_input_images
from mock_gateway._strategies.proxy import stability_v1_requests, stability_v2beta_requests
from mock_gateway._strategies.responses import GatewayResponse, gateway_responses
from mock_gateway._strategies.scenarios import BEHAVIOURS, Behaviour, Scenario, scenarios
from mock_gateway._strategies.unified import image_requests

__all__ = [
    "BEHAVIOURS",
    "Behaviour",
    "GatewayResponse",
    "ImageEditRequest",
    "ImageRequest",
    "InputImage",
    "PortkeyConfig",
    "Scenario",
    "gateway_responses",
    "image_edit_requests",
    "image_requests",
    "portkey_configs",
    "scenarios",
    "stability_input_images",
    "stability_v1_requests",
    "stability_v2beta_requests",
]
