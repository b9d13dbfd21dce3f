"""Facts the fake Bedrock answers from (docs/facts/providers/bedrock.md §2).

FROM DOCS unless marked: botocore's bedrock-runtime service model (2023-09-30) for the
operation, its errors and the signing name; the AWS Bedrock user guide's model parameter pages
for the SDXL 1.0 and SD3.5 Large / Stable Image Core / Ultra bodies and answers.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = [
    "ASPECT_RATIOS",
    "ERROR_TYPE_SUFFIX",
    "FAULT_ERRORS",
    "FILTER_REASONS",
    "MAX_BODY",
    "MESSAGES",
    "REGION_PREFIXES",
    "SDXL_DIMENSIONS",
    "SERVICE",
    "V1_MODELS",
    "V2_MODELS",
]

SERVICE = "bedrock"  # SigV4 signing name of bedrock-runtime (service-2.json)
MAX_BODY = 25_000_000  # InvokeModel body limit, bytes (service-2.json)
# The image models on Bedrock. SDXL takes the v1 body, the others the v2 one (gateway
# constants.ts; AWS model pages). Exact current ids: ASSUMED (the AWS pages, v1:0 in older ones).
V1_MODELS = frozenset({"stability.stable-diffusion-xl-v1"})
V2_MODELS = frozenset({"stability.sd3-5-large-v1:0", "stability.stable-image-core-v1:1",
                       "stability.stable-image-ultra-v1:1", "stability.stable-image-core-v1:0",
                       "stability.stable-image-ultra-v1:0"})  # fmt: skip
# Cross-region inference profile prefixes (the gateway's utils.ts strips the same ones).
REGION_PREFIXES = ("us.", "eu.", "apac.", "au.", "ca.", "jp.", "global.")
# SDXL 1.0 on Bedrock: the only (width, height) pairs it takes.
SDXL_DIMENSIONS = frozenset({(1024, 1024), (1152, 896), (1216, 832), (1344, 768), (1536, 640),
                             (640, 1536), (768, 1344), (832, 1216), (896, 1152)})  # fmt: skip
# SD3.5 / Core / Ultra: aspect ratio -> (width, height) of the image drawn. The ratios are
# FROM DOCS; the pixel sizes are ASSUMED (Stability's own 1-megapixel sizes for each ratio).
ASPECT_RATIOS = MappingProxyType({
    "16:9": (1344, 768), "1:1": (1024, 1024), "21:9": (1536, 640), "2:3": (832, 1216),
    "3:2": (1216, 832), "4:5": (896, 1088), "5:4": (1088, 896), "9:16": (768, 1344),
    "9:21": (640, 1536),
})  # fmt: skip
FILTER_REASONS = ("Filter reason: prompt", "Filter reason: output image")

# ---- ASSUMED: not read in any source; kept in this one table ---------------------------------
# The error type header's suffix (rest-json convention: `<Name>:http://internal.amazon.com/...`).
ERROR_TYPE_SUFFIX = ":http://internal.amazon.com/coral/com.amazon.bedrock/"
# Messages. "invalid_token" and "malformed" are MEASURED bodies (measured-transcripts.md br-err-*);
# the rest are AWS's usual wording, ASSUMED.
MESSAGES = MappingProxyType({
    "missing_auth": "Missing Authentication Token",
    "invalid_token": "The security token included in the request is invalid.",
    "incomplete": "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
                  "parameters in the AWS4-HMAC-SHA256 format.",
    "no_date": "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
               "header.",
    "date_scope": "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                  "date from HTTP: '{scope}' != '{date}', from '{header}'.",
    "region_scope": "Credential should be scoped to a valid region, not '{region}'. ",
    "service_scope": "Credential should be scoped to correct service: 'bedrock'. ",
    "terminator": "Credential should be scoped with a valid terminator: 'aws4_request', not "
                  "'{terminator}'.",
    "signed_headers": "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    "content_sha": "The provided 'x-amz-content-sha256' header does not match what was computed.",
    "bad_model": "The provided model identifier is invalid.",
    "malformed": "Malformed input request: {detail}, please reformat your input and try again.",
    "too_large": "Input is too long for requested model.",
    "v1_dimensions": "The provided height and width ({width}x{height}) are not supported by "
                     "this model.",
    "v1_samples": "Only 1 sample can be generated per request.",
})  # fmt: skip
# An injected fault's status -> (exception name, message), as botocore's service model names
# them (statuses from the AWS troubleshooting page; 403/400/500 read, the rest ASSUMED).
FAULT_ERRORS = MappingProxyType({
    400: ("ValidationException", "Malformed input request, please reformat your input and try "
                                 "again."),
    403: ("AccessDeniedException", "You don't have access to the model with the specified "
                                   "model ID."),
    404: ("ResourceNotFoundException", "The requested resource could not be found."),
    408: ("ModelTimeoutException", "Model has timed out in processing the request. Try your "
                                   "request again."),
    424: ("ModelErrorException", "The model returned an error while processing the request."),
    429: ("ThrottlingException", "Too many requests, please wait before trying again."),
    500: ("InternalServerException", "An internal server error occurred. Retry your request."),
    503: ("ServiceUnavailableException", "Bedrock is unable to process your request."),
})  # fmt: skip
