"""The forum thread's request bodies (../shared/seed/), character for character."""

import json
from typing import Any

# The proxy call's curl --data.
SEED_CURL_DATA = """{
    "steps": 40,
    "width": 1024,
    "height": 1024,
    "seed": 0,
    "cfg_scale": 5,
    "samples": 1,
    "text_prompts": [
        {
            "text": "A painting of a cat",
            "weight": 1
        },
        {
            "text": "blurry, bad",
            "weight": -1
        }
    ]
}"""
SEED_CURL_BODY: dict[str, Any] = json.loads(SEED_CURL_DATA)
