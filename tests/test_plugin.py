"""The pytest plugin, run as a downstream project runs it: a test file in a fresh pytest."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.socket

SEED_TEST = """
import base64, json, requests

def test_seed_request(portkey_mock):
    config = {"provider": "stability-ai", "api_key": "sk-stability-0123456789",
              "override_params": {"model": "stable-diffusion-v1-6"}}
    headers = {"Content-Type": "application/json", "x-portkey-api-key": "pk-1",
               "x-portkey-config": json.dumps(config)}
    data = {"prompt": "Harry potter using aeroplane for transport", "response_format": "url"}
    response = requests.post(portkey_mock.base_url + "/images/generations", headers=headers,
                             data=json.dumps(data))
    body = response.json()
    assert response.status_code == 200
    assert list(body["data"][0]) == ["b64_json"]
    call = portkey_mock.calls.last
    assert call.json == data
    (upstream,) = call.upstream
    assert upstream.url.endswith("/v1/generation/stable-diffusion-v1-6/text-to-image")
    assert upstream.json == {"text_prompts": [{"text": data["prompt"], "weight": 1}]}
    assert "0123456789" not in str(call.headers) + str(upstream.request.headers)

def test_state_is_reset_between_tests(portkey_mock):
    assert portkey_mock.calls == []
    assert not portkey_mock.calls.called
"""


def test_seed_code_and_journal_through_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SEED_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_sdks_and_env_wiring(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import base64, openai, pytest
        from portkey_ai import Portkey

        def test_openai_sdk(portkey_mock):
            with openai.OpenAI(base_url=portkey_mock.base_url, api_key="sk-stab",
                               default_headers={"x-portkey-provider": "stability-ai"}) as client:
                result = client.images.generate(prompt="a cat", model="stable-diffusion-xl-1024-v1-0",
                                                size="1024x1024", response_format="url")
            assert result.data[0].url is None and result.data[0].b64_json

        def test_portkey_sdk(portkey_mock):
            with Portkey(base_url=portkey_mock.base_url, api_key="pk", provider="stability-ai",
                         Authorization="sk-stab") as portkey:
                result = portkey.images.generate(prompt="a dog", model="stable-diffusion-v1-6")
            assert result.data[0].b64_json
            portkey_mock.assert_called("/v1/images/generations", method="POST", count=1)

        @pytest.mark.portkey_mock(env=True)
        def test_code_that_builds_its_own_clients_finds_the_mock(portkey_mock):
            with Portkey(api_key="pk", provider="stability-ai", Authorization="sk-stab") as portkey:
                portkey.images.generate(prompt="a dog", model="stable-diffusion-v1-6")
            with openai.OpenAI(api_key="sk-stab",
                               default_headers={"x-portkey-provider": "stability-ai"}) as client:
                client.images.generate(prompt="a cat", model="stable-diffusion-v1-6")
            assert portkey_mock.calls.call_count == 2
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=3)


def test_in_process_transport_behaves_like_the_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import httpx, openai

        def test_httpx_in_process(portkey_mock):
            with httpx.Client(transport=portkey_mock.transport(), base_url=portkey_mock.base_url) as c:
                r = c.post("/images/generations", json={"model": "stable-diffusion-v1-6", "prompt": "x"},
                           headers={"x-portkey-provider": "stability-ai", "authorization": "sk"})
            assert r.status_code == 200 and r.json()["provider"] == "stability-ai"
            assert portkey_mock.calls.last.upstream[0].json["text_prompts"][0]["text"] == "x"

        def test_openai_sdk_in_process(portkey_mock):
            http = httpx.Client(transport=portkey_mock.transport())
            with openai.OpenAI(base_url=portkey_mock.base_url, api_key="sk", http_client=http,
                               default_headers={"x-portkey-provider": "stability-ai"}) as client:
                result = client.images.generate(prompt="a", model="stable-diffusion-v1-6")
            assert result.data[0].b64_json

        async def _post(portkey_mock):
            async with httpx.AsyncClient(transport=portkey_mock.async_transport(), base_url=portkey_mock.base_url) as c:
                return await c.post("/images/generations", json={"prompt": "x"},
                                    headers={"x-portkey-provider": "stability-ai", "authorization": "sk"})

        def test_async_transport(portkey_mock):
            import asyncio
            assert asyncio.run(_post(portkey_mock)).status_code == 404  # no model -> v2beta/undefined
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_marker_profiles_and_strict_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest, requests

        H = {"x-portkey-provider": "stability-ai", "authorization": "sk", "content-type": "application/json"}
        B = '{"model": "stable-diffusion-v1-6", "prompt": "x"}'

        @pytest.mark.portkey_mock(profile="oss")
        def test_oss(portkey_mock):
            r = requests.post(portkey_mock.base_url + "/images/generations", headers=H, data=B)
            assert r.headers["x-portkey-trace-id"] == ""

        def test_default_is_hosted(portkey_mock):
            r = requests.post(portkey_mock.base_url + "/images/generations", headers=H, data=B)
            assert r.headers["x-portkey-trace-id"] != ""

        @pytest.mark.portkey_mock(profil="oss")
        def test_typo(portkey_mock):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*portkey_mock takes keyword options*profil*"])


def test_faults_from_python(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import json, requests

        H = {"x-portkey-provider": "stability-ai", "authorization": "sk", "content-type": "application/json"}
        B = json.dumps({"model": "stable-diffusion-xl-1024-v1-0", "prompt": "x", "size": "1024x1024"})

        def post(portkey_mock, headers=H):
            return requests.post(portkey_mock.base_url + "/images/generations", headers=headers, data=B)

        def test_rate_limited_then_fine(portkey_mock):
            portkey_mock.fail_next(429, retry_after=2)
            limited = post(portkey_mock)
            assert limited.status_code == 429
            assert limited.headers["retry-after"] == "2"
            error = limited.json()["error"]
            assert error["type"] == "rate_limit_exceeded"
            assert error["message"].startswith("stability-ai error: You have exceeded the rate limit")
            assert post(portkey_mock).status_code == 200
            assert portkey_mock.calls[0].upstream[0].fault.status == 429

        def test_server_errors(portkey_mock):
            portkey_mock.fail_next(503, times=2)
            assert [post(portkey_mock).status_code for _ in range(3)] == [503, 503, 200]

        def test_timeout_with_request_timeout_is_408(portkey_mock):
            portkey_mock.timeout_next()
            r = post(portkey_mock, {**H, "x-portkey-request-timeout": "50"})
            assert r.status_code == 408
            assert r.json() == {"error": {"message": "Request exceeded the timeout sent in the request: 50ms",
                                          "type": "timeout_error", "param": None, "code": None}}
            assert r.headers["x-portkey-provider"] == "stability-ai"

        def test_latency_beyond_the_timeout_is_408_too(portkey_mock):
            portkey_mock.delay_next(0.2)
            assert post(portkey_mock, {**H, "x-portkey-request-timeout": "20"}).status_code == 408

        def test_dropped_connection(portkey_mock):
            portkey_mock.drop_next()
            r = post(portkey_mock)
            assert r.status_code == 500
            assert r.json()["error"]["message"].startswith(
                'Invalid response received from stability-ai: {"html-message":"Message: fetch failed')

        def test_malformed_body(portkey_mock):
            portkey_mock.malformed_next("<html>oops</html>")
            r = post(portkey_mock)
            assert r.status_code == 200
            assert r.json()["error"]["message"] == (
                'Invalid response received from stability-ai: {"html-message":"<html>oops</html>"}')

        def test_content_filter_on_the_proxy_route(portkey_mock):
            portkey_mock.filter_next(path="/v1/generation/")
            r = requests.post(portkey_mock.base_url + "/generation/stable-diffusion-v1-6/text-to-image",
                              headers={"x-portkey-provider": "stability-ai", "authorization": "sk"},
                              json={"text_prompts": [{"text": "x"}]})
            assert r.json()["artifacts"][0]["finishReason"] == "CONTENT_FILTERED"

        def test_per_request_headers(portkey_mock):
            r = post(portkey_mock, {**H, "x-mock-status": "500"})
            assert r.status_code == 500 and r.json()["error"]["type"] == "server_error"
            upstream_headers = dict(portkey_mock.calls.last.upstream[0].request.headers)
            assert "x-mock-status" not in upstream_headers
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=8)


def test_faults_and_journal_over_http(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_http_controls(portkey_mock):
            url = portkey_mock.url
            queued = requests.post(url + "/_mock/faults", json={"fault": "status", "status": 502, "times": 1})
            assert queued.json()["faults"][0]["status"] == 502
            r = requests.post(url + "/v1/images/generations",
                              headers={"x-portkey-provider": "stability-ai", "authorization": "sk"},
                              json={"model": "stable-diffusion-v1-6", "prompt": "a"})
            assert r.status_code == 502
            calls = requests.get(url + "/_mock/requests").json()["calls"]
            assert calls[-1]["request"]["body"]["json"] == {"model": "stable-diffusion-v1-6", "prompt": "a"}
            assert calls[-1]["upstream"][0]["fault"]["status"] == 502
            bad = requests.post(url + "/_mock/faults", json={"fault": "explode"})
            assert bad.status_code == 400 and "choose one of" in bad.json()["message"]
            assert requests.post(url + "/_mock/reset").json() == {"status": "ok"}
            assert requests.get(url + "/_mock/requests").json()["calls"] == []
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_failure_messages_list_what_arrived(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_wrong_path(portkey_mock):
            requests.post(portkey_mock.base_url + "/images/generations", json={"prompt": "hello"},
                          headers={"x-portkey-provider": "stability-ai"})
            portkey_mock.assert_called("/v1/images/edits")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*expected at least one any method /v1/images/edits request(s), got 0*",
         '*POST /v1/images/generations -> 404 {"prompt": "hello"}*']
    )  # fmt: skip


def test_a_crash_in_the_server_fails_the_test_that_caused_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_boom(portkey_mock):
            def boom(request, **kwargs):
                raise RuntimeError("kaboom")
            portkey_mock.state.stability.handle = boom
            r = requests.post(portkey_mock.base_url + "/images/generations", json={"prompt": "x"},
                              headers={"x-portkey-provider": "stability-ai", "authorization": "sk"})
            assert r.status_code == 500

        def test_next_test_is_clean(portkey_mock):
            assert portkey_mock.calls == []
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*ServerError*kaboom*"])


def test_under_xdist_each_worker_has_its_own_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import os, requests, pytest

        @pytest.mark.parametrize("i", range(8))
        def test_many(portkey_mock, i, tmp_path_factory):
            r = requests.post(portkey_mock.base_url + "/images/generations",
                              json={"model": "stable-diffusion-v1-6", "prompt": str(i)},
                              headers={"x-portkey-provider": "stability-ai", "authorization": "sk"})
            assert r.status_code == 200
            assert portkey_mock.calls.call_count == 1  # no other test's request leaks in
            root = tmp_path_factory.getbasetemp().parent
            (root / f"port-{os.environ['PYTEST_XDIST_WORKER']}-{i}").write_text(portkey_mock.url)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=8)
    ports = {path.read_text() for path in pytester.path.parent.rglob("port-*")}
    assert len(ports) == 2, ports


def test_importing_the_plugin_is_cheap() -> None:
    code = (
        "import sys, mock_gateway.pytest_plugin; "
        "print(sorted(m for m in ('starlette', 'uvicorn', 'jsonschema', 'httpx') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
