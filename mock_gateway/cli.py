"""The ``mock-portkey`` command: ``main`` parses and exits, ``run`` does the work."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn, TextIO

from mock_gateway.gateway.profiles import DEPRECATED_NAMES, PROFILES
from mock_gateway.serving.connections import DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_CONNECTIONS
from mock_gateway.settings import ROLES, Settings

if TYPE_CHECKING:
    from mock_gateway.gateway.registry import Registry

__all__ = ["main", "parse_args", "run", "settings_from_args"]

_DEFAULTS = Settings()  # every app option's default, written once (mock_gateway.settings)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line, as a namespace."""
    parser = argparse.ArgumentParser(prog="mock-portkey", description="A mock Portkey AI gateway.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the mock gateway under uvicorn")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8787, help="port (default 8787; 0 = any free)")
    serve.add_argument(
        "--profile",
        default=_DEFAULTS.profile,
        choices=sorted([*PROFILES, *DEPRECATED_NAMES]),
        help=f"gateway flavour to imitate (default {_DEFAULTS.profile})",
    )
    serve.add_argument(
        "--role",
        default=_DEFAULTS.role,
        choices=ROLES,
        help="gateway (default), or upstream: the fake Stability and OpenAI APIs themselves",
    )
    serve.add_argument(
        "--seed", type=int, default=_DEFAULTS.seed, help="seed for ids and random seeds"
    )
    serve.add_argument(
        "--registry",
        metavar="FILE",
        help="hosted Portkey's records: API keys, virtual keys, @slug providers, saved configs",
    )
    serve.add_argument(
        "--time-scale",
        type=float,
        default=_DEFAULTS.time_scale,
        help="multiply the gateway's retry waits and a timeout fault's hold "
        f"(default {_DEFAULTS.time_scale:g}: faithful; 0.01: 100x faster)",
    )
    serve.add_argument(
        "--strict-responses",
        action="store_true",
        help="refuse (500, loudly) to send any answer that breaks its contract",
    )
    serve.add_argument(
        "--url-ttl",
        type=float,
        default=_DEFAULTS.url_ttl,
        help=f"seconds a DALL·E image URL stays valid (default {_DEFAULTS.url_ttl:g})",
    )
    serve.add_argument(
        "--open",
        action="store_true",
        help="open the inspector page (/_mock/) in a browser once the server is up",
    )
    serve.add_argument(
        "--blocked-word",
        action="append",
        dest="blocked_words",
        metavar="WORD",
        help="prompts containing WORD are refused by the content filter "
        f"(repeatable; default {' '.join(_DEFAULTS.blocked_words)})",
    )
    serve.add_argument(
        "--filtered-word",
        action="append",
        dest="filtered_words",
        metavar="WORD",
        help="Stability blurs images for prompts containing WORD "
        f"(repeatable; default {' '.join(_DEFAULTS.filtered_words)})",
    )
    serve.add_argument(
        "--journal-cap",
        type=int,
        default=_DEFAULTS.journal_cap,
        metavar="N",
        help="calls the journal keeps before dropping the oldest "
        f"(default {_DEFAULTS.journal_cap})",
    )
    serve.add_argument(
        "--journal-bytes",
        type=int,
        default=_DEFAULTS.journal_bytes,
        metavar="N",
        help="bytes the journal keeps (heads, bodies, upstream attempts) before dropping "
        "the oldest "
        f"(default {_DEFAULTS.journal_bytes // 2**20} MiB)",
    )
    serve.add_argument(
        "--max-body-bytes",
        type=int,
        default=_DEFAULTS.max_body_bytes,
        metavar="N",
        help="a request body over N bytes gets a 413 before it is read whole "
        f"(default {_DEFAULTS.max_body_bytes // 2**20} MiB)",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        default=DEFAULT_MAX_CONNECTIONS,
        metavar="N",
        help="open connections past N get a 503 and are closed "
        f"(default {DEFAULT_MAX_CONNECTIONS})",
    )
    serve.add_argument(
        "--header-timeout",
        type=float,
        default=DEFAULT_HEADER_TIMEOUT,
        metavar="SECONDS",
        help="a request head not all arrived within SECONDS gets a 408 and the connection "
        f"is closed (default {DEFAULT_HEADER_TIMEOUT:g})",
    )
    serve.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow --host to be an address other than loopback (the mock has no auth)",
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        dest="allowed_hosts",
        metavar="NAME",
        help="a Host name, besides loopback and the bound address, that may use the /_mock/ "
        "controls (repeatable)",
    )
    serve.add_argument(
        "--replay",
        nargs="+",
        action="extend",
        default=[],
        metavar="CASSETTE",
        help="HAR cassettes (mock-portkey record): recorded requests get the recorded answers",
    )
    _add_record_and_drift(commands)
    check = commands.add_parser("check", help="check recorded payloads against the contracts")
    check.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="JSON payloads, HAR files, or VCR / pytest-recording cassettes",
    )
    check.add_argument(
        "--contract", help="the contract for plain JSON payloads (default: by shape)"
    )
    check.add_argument("--format", choices=("text", "json"), default="text", dest="output")
    commands.add_parser("contracts", help="list the contracts")
    commands.add_parser("openapi", help="print the OpenAPI 3.1 document of every route")
    return parser.parse_args(argv)


def _add_record_and_drift(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    record = commands.add_parser(
        "record", help="forward to a real gateway and record a HAR cassette, keys redacted"
    )
    record.add_argument("--target", required=True, help="base URL, e.g. https://api.portkey.ai")
    record.add_argument("--out", "-o", default="portkey.har", help="cassette (default portkey.har)")
    record.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    record.add_argument("--port", type=int, default=8788, help="port (default 8788; 0 = any free)")
    record.add_argument(
        "--thumbnail",
        type=int,
        metavar="PX",
        help="shrink recorded images to PX pixels a side (their format and size are kept)",
    )
    record.add_argument(
        "--allow-remote", action="store_true", help="allow --host to be other than loopback"
    )
    drift = commands.add_parser("drift", help="replay cassettes against the mock; what differs")
    drift.add_argument("cassettes", nargs="+", metavar="CASSETTE", help="HAR files")
    drift.add_argument(
        "--profile",
        action="append",
        dest="profiles",
        choices=sorted(PROFILES),
        help="mock profile to replay against (repeatable; default: each profile)",
    )
    drift.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="FILE",
        help="allow-list of known differences, with reasons (JSON or YAML; repeatable)",
    )
    drift.add_argument("--seed", type=int, default=0, help="the mock's seed (default 0)")
    drift.add_argument("--registry", metavar="FILE", help="hosted Portkey's records for the mock")
    drift.add_argument("--format", choices=("text", "json"), default="text", dest="output")


def _record(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from mock_gateway.recording.record import check_target, serve_recorder
    from mock_gateway.serving.server import is_loopback

    if not (is_loopback(args.host) or args.allow_remote):
        print(
            f"mock-portkey record: refusing to listen on {args.host}, which is not loopback; "
            "pass --allow-remote (the recorder forwards with the keys clients send)",
            file=stderr,
        )
        return 2
    try:
        check_target(args.target)
        serve_recorder(
            args.target,
            args.out,
            host=args.host,
            port=args.port,
            thumbnail=args.thumbnail,
            stdout=stdout,
        )
    except (ValueError, OSError) as error:
        print(f"mock-portkey record: {error}", file=stderr)
        return 1
    return 0


def _drift(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from mock_gateway.gateway.registry import Registry
    from mock_gateway.recording.allowlist import load_allow_list
    from mock_gateway.recording.drift import drift, format_table
    from mock_gateway.recording.har import read_cassette

    try:
        allowed = load_allow_list(args.allow)
        exchanges = [ex for path in args.cassettes for ex in read_cassette(path)]
        registry = Registry.from_file(args.registry) if args.registry else None
    except ValueError as error:  # RegistryError too
        print(f"mock-portkey drift: {error}", file=stderr)
        return 2
    profiles = args.profiles or sorted(PROFILES)
    report = drift(exchanges, profiles, allowed, seed=args.seed, registry=registry)
    if args.output == "json":
        print(json.dumps(report.to_json(), indent=2), file=stdout)
    else:
        print(format_table(report), file=stdout)
    return 1 if report.failed else 0


def settings_from_args(args: argparse.Namespace, registry: Registry | None = None) -> Settings:
    """The app options of ``mock-portkey serve``'s command line (a repeatable option left
    out keeps the ``Settings`` default)."""
    return Settings(
        role=args.role,
        registry=registry,
        profile=args.profile,
        seed=args.seed,
        url_ttl=args.url_ttl,
        strict_responses=args.strict_responses,
        time_scale=args.time_scale,
        blocked_words=tuple(args.blocked_words or _DEFAULTS.blocked_words),
        filtered_words=tuple(args.filtered_words or _DEFAULTS.filtered_words),
        journal_cap=args.journal_cap,
        journal_bytes=args.journal_bytes,
        max_body_bytes=args.max_body_bytes,
        allowed_hosts=tuple(args.allowed_hosts or _DEFAULTS.allowed_hosts),
        replay=tuple(args.replay),
    )


def _serve(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    import uvicorn

    from mock_gateway.app import create_app
    from mock_gateway.gateway.registry import Registry
    from mock_gateway.serving.connections import server_config
    from mock_gateway.serving.server import bind_socket, is_loopback

    if args.profile in DEPRECATED_NAMES:  # DeprecationWarning is hidden outside tests
        print(
            f"mock-portkey: profile {args.profile!r} is deprecated: it is now the default, "
            f"{DEPRECATED_NAMES[args.profile]!r}",
            file=stderr,
        )
    # Read the registry and cassettes before binding, so a bad file never leaves a socket behind.
    try:
        registry = Registry.from_file(args.registry) if args.registry else None
        if args.replay:
            from mock_gateway.recording.har import read_cassette

            for cassette in args.replay:
                read_cassette(cassette)
    except ValueError as error:  # RegistryError is one
        print(f"mock-portkey: {error}", file=stderr)
        return 1
    if not is_loopback(args.host):
        if not args.allow_remote:
            print(
                f"mock-portkey: refusing to listen on {args.host}, which is not loopback; "
                "pass --allow-remote to expose the mock (and the keys clients send it)",
                file=stderr,
            )
            return 2
        print(
            f"mock-portkey: WARNING: listening on {args.host}: any host that can reach it can "
            "use the mock and read its journal",
            file=stderr,
        )
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as error:
        print(
            f"mock-portkey: cannot listen on {args.host}:{args.port}: {error.strerror}", file=stderr
        )
        return 1
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    if args.role == "upstream":
        print(f"mock-portkey fake providers listening on http://{host}:{port}", file=stdout)
        print(
            f"custom_host: http://{host}:{port} (stability-ai), http://{host}:{port}/v1 (openai)",
            file=stdout,
            flush=True,
        )
    else:
        print(
            f"mock-portkey-gateway ({args.profile} profile) listening on http://{host}:{port}",
            file=stdout,
        )
        print(f"base URL: http://{host}:{port}/v1", file=stdout, flush=True)
        inspector = f"http://{host}:{port}/_mock/"
        print(f"inspector: {inspector}", file=stdout, flush=True)
        if args.open:
            from mock_gateway.control.inspector.browser import open_when_ready

            open_when_ready(inspector, args.host, port, stderr=stderr)
    app = create_app(settings_from_args(args, registry))
    try:
        config = server_config(
            app,
            max_connections=args.max_connections,
            header_timeout=args.header_timeout,
            log_level="warning",
            lifespan="off",
        )
    except ValueError as error:
        sock.close()
        print(f"mock-portkey: {error}", file=stderr)
        return 2
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        # uvicorn (>= 0.29) shuts down gracefully, then re-raises the signal it captured.
        pass
    finally:
        sock.close()
    print("mock-portkey-gateway stopped", file=stdout, flush=True)
    return 0


def _check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from mock_gateway.contract_tools.check import check_paths

    try:
        findings = check_paths(args.paths, contract=args.contract)
    except ValueError as error:
        print(f"mock-portkey check: {error}", file=stderr)
        return 2
    if args.output == "json":
        print(json.dumps([finding.to_json() for finding in findings], indent=2), file=stdout)
    else:
        for finding in findings:
            print(finding, file=stdout)
        count = len(findings)
        summary = "no violations" if not count else f"{count} violation{'s' * (count != 1)}"
        print(f"{len(args.paths)} file(s) checked: {summary}", file=stdout)
    return 1 if findings else 0


def _contracts(stdout: TextIO) -> int:
    from mock_gateway.contract_tools.contracts import contract, contract_names

    for name in contract_names():
        print(f"{name:45s} {contract(name).get('title', '')}", file=stdout)
    return 0


def _openapi(stdout: TextIO) -> int:
    from mock_gateway.contract_tools.openapi import openapi_document

    print(json.dumps(openapi_document(), indent=2, ensure_ascii=False), file=stdout)
    return 0


def run(
    args: argparse.Namespace, *, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr
) -> int:
    """Carry out a parsed command; returns the exit code."""
    if args.command == "serve":
        return _serve(args, stdout, stderr)
    if args.command == "check":
        return _check(args, stdout, stderr)
    if args.command == "record":
        return _record(args, stdout, stderr)
    if args.command == "drift":
        return _drift(args, stdout, stderr)
    if args.command == "contracts":
        return _contracts(stdout)
    if args.command == "openapi":
        return _openapi(stdout)
    print(f"mock-portkey: unknown command {args.command!r}", file=stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Entry point of ``mock-portkey`` and ``python -m mock_gateway``."""
    try:
        sys.exit(run(parse_args(argv)))
    except BrokenPipeError:  # `mock-portkey openapi | head`: the reader left, nothing to say
        sys.stderr.close()
        sys.exit(0)
