"""The inspector shows an image edit's input images beside its output (and a stream's)."""

from __future__ import annotations

from tests.conftest import MockClient
from tests.edit_inputs import holed_mask, image_bytes

OPENAI = {"x-portkey-provider": "openai", "authorization": "Bearer sk-test-0123456789abcdef"}


def _edit(client: MockClient, **fields: str) -> None:
    answer = client.post(
        "/v1/images/edits",
        headers=OPENAI,
        files=[
            ("image[]", ("a.png", image_bytes(), "image/png")),
            ("mask", ("m.png", holed_mask(), "image/png")),
        ],
        data={"prompt": "a hat", "model": "gpt-image-1", "size": "1024x1024", **fields},
    )
    assert answer.status_code == 200, answer.text


def test_inputs_are_thumbnails_beside_the_output(client: MockClient) -> None:
    _edit(client)
    page = client.get("/_mock/", headers={"accept": "text/html"}).text
    assert "input image[] (a.png)" in page and "input mask (m.png)" in page
    assert "data[0].b64_json" in page  # the output, after the inputs
    index = client.calls()[-1]["index"]
    time = repr(client.mock.state.journal.calls()[-1].time)
    served = client.get(f"/_mock/inspector/calls/{index}/images/0", params={"t": time})
    assert served.status_code == 200 and served.content == image_bytes()
    output = client.get(f"/_mock/inspector/calls/{index}/images/2", params={"t": time})
    assert output.headers["content-type"] == "image/png" and len(output.content) > 1000


def test_a_streamed_answer_shows_its_images(client: MockClient) -> None:
    _edit(client, stream="true", partial_images="1")
    page = client.get("/_mock/", headers={"accept": "text/html"}).text
    assert "[0].b64_json" in page and "[1].b64_json" in page  # the partial and the final
