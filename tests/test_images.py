from __future__ import annotations

import pytest

from mock_gateway.fakes.images import derive_seed, png_dimensions, render_png, render_png_b64
from tests.pngcheck import decode_png


@pytest.mark.parametrize(
    ("width", "height"), [(1, 1), (64, 64), (320, 512), (1024, 1024), (1536, 640)]
)
def test_png_decodes_to_the_requested_size(width: int, height: int) -> None:
    image = decode_png(render_png(width, height, prompt="a cat", seed=7))
    assert (image.width, image.height) == (width, height)
    assert png_dimensions(render_png(width, height, prompt="a cat", seed=7)) == (width, height)


def test_same_arguments_give_the_same_bytes() -> None:
    first = render_png(256, 128, prompt="a cat", seed=1, index=2)
    render_png.cache_clear()
    assert render_png(256, 128, prompt="a cat", seed=1, index=2) == first


@pytest.mark.parametrize(
    "other", [{"prompt": "a dog"}, {"seed": 2}, {"index": 1}], ids=["prompt", "seed", "index"]
)
def test_a_different_prompt_seed_or_index_changes_the_pixels(other: dict[str, object]) -> None:
    base: dict[str, object] = {"prompt": "a cat", "seed": 1, "index": 0}
    a = decode_png(render_png(128, 128, **base))
    b = decode_png(render_png(128, 128, **(base | other)))
    # Different colours (the palette), so the decoded pictures differ visibly.
    assert a.palette != b.palette


def test_base64_matches_the_bytes() -> None:
    import base64

    b64 = render_png_b64(64, 32, prompt="x", seed=3)
    assert base64.b64decode(b64) == render_png(64, 32, prompt="x", seed=3)


def test_rejects_impossible_sizes() -> None:
    with pytest.raises(ValueError, match="outside"):
        render_png(0, 10)


def test_png_dimensions_rejects_non_png() -> None:
    with pytest.raises(ValueError, match="not a PNG"):
        png_dimensions(b"GIF89a" + b"\0" * 30)


def test_derived_seed_is_stable_and_in_stability_range() -> None:
    seed = derive_seed(0, "stable-diffusion-v1-6", "a cat", 512, 512)
    assert seed == derive_seed(0, "stable-diffusion-v1-6", "a cat", 512, 512)
    assert 1 <= seed <= 4294967295
    assert seed != derive_seed(1, "stable-diffusion-v1-6", "a cat", 512, 512)
