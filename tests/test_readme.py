"""Every code block in README.md runs as written.

- ``python`` blocks that define ``test_`` functions are test files: run by pytest in a fresh
  project with the ``portkey_mock`` plugin (and ``examples/imagegen``, which the README names),
  each block a file of it, all in one run; every test of every block must pass.
- Other ``python`` blocks are scripts: run by Python, with ``127.0.0.1:8787`` (the server the
  README starts) replaced by a live mock's address.
- ``bash`` blocks run under bash in a scratch directory that links the checkout's files. Each
  command that would install, start a server for good, recurse into this suite or take
  minutes is recorded instead of run (``_STUBBED``), then checked: its options exist
  (``mock-portkey`` through its own parser, ``python -m pytest`` through ``--help``), its
  files and extras exist. ``curl`` runs for real against a live mock (``--fail-with-body``).
- ``text`` blocks are illustrative output; only those listed in ``ILLUSTRATIVE`` may exist,
  and each is matched against the real output's patterns.
"""

from __future__ import annotations

import contextlib
import fnmatch
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mock_gateway import LiveServer, create_app
from mock_gateway.cli import parse_args
from mock_gateway.gateway.registry import Registry
from mock_gateway.recording.allowlist import load_allow_list

pytestmark = pytest.mark.socket

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
README_ORIGIN = "127.0.0.1:8787"  # where the README's `mock-portkey serve` listens
_FENCE = re.compile(r"^```(?P<info>[^`\n]*)\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)

# Output shown for reading, never run: the first line, why it is not code, and the patterns
# the real output matches (tests/test_plugin.py checks a real failure's report the same way).
ILLUSTRATIVE = {
    "---------------------------- portkey_mock inspector ----------------------------": (
        "the report section of a failing test; its URL, port and paths differ on every run",
        [
            "*- portkey_mock inspector -*",
            "inspector: http://127.0.0.1:*/_mock/ (live until the next test resets the journal)",
            "journal snapshot (* request(s)): *.html",
        ],
    ),
}

# Commands recorded, not run, in bash blocks (and why): checked by ``check_command``.
_STUBBED = {
    "python": "pip would change this environment; pytest would run this very suite; "
    "bench/ takes minutes",
    "mock-portkey": "`serve` runs until stopped; each command's options are parsed instead",
    "apt-get": "needs root and the network",
    "npm": "the suite runs the pinned `npm ci` itself (tests/test_tools.py)",
    "node": "starts the real gateway on a fixed port, in the background, for good",
    "ruff": "lint is CI's next step, not a test",
    "mypy": "lint is CI's next step, not a test",
    "./run-tests": "it runs this very suite",
    "pytest": "a user's own suite (e.g. recording against a real target)",
}
_PRELUDE = """
record() { printf '%s\\0' "$PWD" "$@" > "$README_LOG/$(date +%s%N)-$BASHPID-$RANDOM"; }
curl() {
  local args=() arg
  for arg in "$@"; do args+=("${arg//127.0.0.1:8787/$README_ORIGIN}"); done
  command curl --silent --show-error --fail-with-body --max-time 30 "${args[@]}"
}
"""


@dataclass(frozen=True)
class Block:
    """A fenced code block of the README."""

    line: int
    language: str
    body: str

    @property
    def id(self) -> str:
        return f"{self.language}-line{self.line}"

    @property
    def is_test_file(self) -> bool:
        return bool(self.test_names)

    @property
    def test_names(self) -> list[str]:
        return re.findall(r"^def (test_\w+)", self.body, re.M)

    @property
    def module(self) -> str:
        """The test file's module name, in test_python_test_files_pass's project."""
        return f"test_readme_line{self.line}"


def readme_blocks() -> list[Block]:
    text = README.read_text()
    return [
        Block(text.count("\n", 0, m.start()) + 1, m["info"].strip().split(" ")[0], m["body"])
        for m in _FENCE.finditer(text)
    ]


BLOCKS = readme_blocks()
PYTHON = [block for block in BLOCKS if block.language == "python"]
BASH = [block for block in BLOCKS if block.language == "bash"]
# What runs: tests/test_readme_hosted.py checks its section's blocks are among these.
SCRIPTS = [block for block in PYTHON if not block.is_test_file]
TEST_FILES = [block for block in PYTHON if block.is_test_file]


def test_every_block_is_a_known_kind() -> None:
    assert len(BLOCKS) >= 15, "the README's fences were not found"
    known = ("python", "bash", "text", "json")
    unknown = [(block.line, block.language) for block in BLOCKS if block.language not in known]
    assert not unknown, f"code blocks need a language this test knows, {known}: {unknown}"


def test_json_blocks_are_files_the_mock_loads(tmp_path: Path) -> None:
    # The README shows two file formats: the drift allow-list and the hosted registry.
    blocks = [block for block in BLOCKS if block.language == "json"]
    assert len(blocks) >= 2
    for block in blocks:
        data = json.loads(block.body)  # as written
        if "allowed_differences" in data:
            path = tmp_path / f"allow-{block.line}.json"
            path.write_text(block.body)
            assert load_allow_list([path]), f"README line {block.line}: an empty allow-list"
        else:
            registry = Registry.from_json(data)
            assert registry.to_json(), f"README line {block.line}: an empty registry"


def test_only_the_listed_illustrative_blocks_and_they_match_real_output() -> None:
    texts = [block for block in BLOCKS if block.language == "text"]
    assert len(texts) <= len(ILLUSTRATIVE)
    for block in texts:
        lines = block.body.rstrip("\n").splitlines()
        assert lines[0] in ILLUSTRATIVE, f"line {block.line}: not a listed illustrative block"
        _, patterns = ILLUSTRATIVE[lines[0]]
        assert len(lines) == len(patterns)
        for line, pattern in zip(lines, patterns, strict=True):
            assert fnmatch.fnmatch(line, pattern), (line, pattern)


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    section = README.read_text().split("## Two commands", 1)[1].split("\n## ", 1)[0]
    blocks = [block.body.strip() for block in readme_blocks() if block.body.strip() in section]
    command = blocks[1]  # the second: "Run the whole test suite"
    assert command == "./run-tests"
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert ci.count(command) == 1
    code = [line for line in ci if not line.lstrip().startswith("#")]
    assert not [line for line in code if "pytest" in line or "apt-get" in line]  # nothing else


def test_every_serve_option_is_in_the_readme() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        parse_args(["serve", "--help"])
    options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", out.getvalue())) - {"--help"}
    assert {"--registry", "--time-scale", "--port"} <= options
    text = README.read_text()
    shown = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*[a-z]", text))
    missing = sorted(options - shown)
    assert not missing, f"mock-portkey serve options the README does not mention: {missing}"


def test_the_example_library_is_said_to_come_from_examples() -> None:
    text = README.read_text()
    for block in PYTHON:
        if "from imagegen import" in block.body:
            start = text.index(block.body)
            before = text[max(0, start - 600) : start]
            assert "examples/imagegen/" in before, f"README line {block.line}"


def test_property_tests_shown_have_no_deadline() -> None:
    # A scenario of timeouts and retries outlasts Hypothesis's 200 ms deadline (it flaked
    # once at 256 ms): the README's property tests say deadline=None, as examples/ does.
    for block in PYTHON:
        if "@given" in block.body:
            assert "@settings(deadline=None" in block.body, f"README line {block.line}"
    examples = (ROOT / "examples" / "conftest.py").read_text()
    assert examples.count("deadline=None") == examples.count("register_profile(") == 3


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with LiveServer(create_app(time_scale=0.001)) as live:
        yield live


@pytest.fixture(scope="module")
def oss_server() -> Iterator[LiveServer]:
    # Stands in for the real open-source gateway a block starts with node: the conformance
    # suite holds the two equal.
    with LiveServer(create_app(profile="oss", time_scale=0.001)) as live:
        yield live


def _origin(server: LiveServer) -> str:
    return server.url.removeprefix("http://")


@pytest.mark.parametrize("block", SCRIPTS, ids=lambda b: b.id)
def test_python_scripts_run(block: Block, server: LiveServer, tmp_path: Path) -> None:
    code = block.body.replace(README_ORIGIN, _origin(server))
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert run.returncode == 0, f"README line {block.line}:\n{run.stderr}"


def _junit_outcomes(report: Path) -> dict[str, str]:
    """``module::test`` -> "passed", or what went wrong ("failure", "error", "skipped")."""
    outcomes = {}
    for case in ET.parse(report).iter("testcase"):
        problems = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        # A file that fails to import is a case named after it, in no class: "::module".
        outcomes[f"{case.get('classname')}::{case.get('name')}"] = ",".join(problems) or "passed"
    return outcomes


def _of(block: Block, outcomes: dict[str, str]) -> dict[str, str]:
    return {case: outcome for case, outcome in outcomes.items() if block.module in case.split("::")}


def test_python_test_files_pass(pytester: pytest.Pytester) -> None:
    # A user's project: the example library the README names, and a conftest that loads a
    # derandomized Hypothesis profile for CI, as examples/conftest.py does. Each block is a
    # file of it, and one pytest run runs them all: one start-up (4-5 s) instead of one per
    # block; they share the session's mock server, which the fixture resets before every
    # test, as in any user's suite of several files.
    shutil.copytree(ROOT / "examples" / "imagegen", pytester.path / "imagegen",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    shutil.copy(ROOT / "examples" / "conftest.py", pytester.path / "conftest.py")
    assert len(TEST_FILES) >= 5, "the README's test files were not found"
    for block in TEST_FILES:
        pytester.makepyfile(**{block.module: block.body})
    # -p no:schemathesis: our test extra's plugin (for tests/test_fuzz.py), no user's; it
    # costs 2 s of start-up and no block uses it.
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:schemathesis", "--hypothesis-profile=ci",
        "--junitxml=results.xml", "--continue-on-collection-errors",  # one bad file fails alone
    )  # fmt: skip
    outcomes = _junit_outcomes(pytester.path / "results.xml")
    expected = {
        f"{block.module}::{name}": "passed" for block in TEST_FILES for name in block.test_names
    }
    wrong = [block.line for block in TEST_FILES if _of(block, outcomes) != _of(block, expected)]
    assert outcomes == expected, f"README test files at lines {wrong}:\n{result.stdout.str()}"


@pytest.fixture(scope="module")
def pytest_help() -> str:
    # As a user's project sees it: the installed plugin loaded (our own addopts disable it).
    # Without schemathesis's plugin (our test extra's, for tests/test_fuzz.py; 2 s of start-up):
    # no command the README shows uses its options, and a user's project does not have them.
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-o", "addopts=", "-p", "no:schemathesis", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def _scratch(tmp_path: Path) -> Path:
    """A working directory where the checkout's files are, and nothing it writes lands there."""
    work = tmp_path / "work"
    work.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in (".git", ".venv"):
            (work / entry.name).symlink_to(entry)
    return work


def _recorded(log: Path) -> list[tuple[Path, list[str]]]:
    calls = []
    for entry in sorted(log.iterdir()):
        cwd, *argv = entry.read_bytes().decode().rstrip("\0").split("\0")
        calls.append((Path(cwd), argv))
    return calls


@pytest.mark.parametrize("block", BASH, ids=lambda b: b.id)
def test_bash_blocks_run_with_installs_and_servers_checked(
    block: Block,
    server: LiveServer,
    oss_server: LiveServer,
    pytest_help: str,
    tmp_path: Path,
) -> None:
    if "curl " in block.body:
        assert shutil.which("curl"), "install curl (./run-tests does): the README uses it"
    log = tmp_path / "log"
    log.mkdir()
    stubs = "".join(f'{name}() {{ record {name} "$@"; }}\n' for name in _STUBBED)
    live = oss_server if "start-server.js" in block.body else server
    env = {**os.environ, "README_LOG": str(log), "README_ORIGIN": _origin(live)}
    run = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", _PRELUDE + stubs + block.body],
        capture_output=True,
        text=True,
        cwd=_scratch(tmp_path),
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, f"README line {block.line}:\n{run.stdout}\n{run.stderr}"
    for cwd, argv in _recorded(log):
        check_command(cwd, argv, pytest_help)
    if "--output cat.png" in block.body:
        assert (tmp_path / "work" / "cat.png").read_bytes().startswith(b"\x89PNG")


def _extras() -> set[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return set(pyproject["project"]["optional-dependencies"])


def _check_pip(args: list[str]) -> None:
    assert args[:1] == ["install"], args
    for arg in args[1:]:
        if arg in ("-e", "--quiet", "-q", "--upgrade"):
            continue
        if arg.startswith("mock-portkey-gateway @ git+"):
            continue
        if arg.startswith("dist/"):  # the wheel `python -m build` makes
            # The version is written once (mock_gateway/_version.py); the README globs it.
            from mock_gateway._version import __version__

            wheel = f"dist/mock_portkey_gateway-{__version__}-py3-none-any.whl"
            assert fnmatch.fnmatchcase(wheel, arg), arg
            continue
        match = re.fullmatch(r"\.(?:\[(?P<extras>[a-z,]+)\])?", arg)
        assert match, f"pip install {arg}: not this project"
        assert set((match["extras"] or "").split(",")) - {""} <= _extras(), arg


def _takes_value(option: str, pytest_help: str) -> bool:
    # pytest --help shows a value-taking option as ``--name=DIR`` or ``-k EXPRESSION``.
    return bool(re.search(rf"(^|[ ,]){re.escape(option)}[= ][A-Z_]+", pytest_help, re.M))


def _check_pytest(args: list[str], pytest_help: str) -> None:
    markers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    names = {line.split(":")[0] for line in markers["markers"]}
    words = iter(args)
    for arg in words:
        if not arg.startswith("-"):
            assert (ROOT / arg.split("::")[0]).exists(), arg
            continue
        option = arg.split("=")[0]
        assert re.search(rf"(^|[ ,]){re.escape(option)}([ =,]|$)", pytest_help, re.M), arg
        if option == "-m":
            expression = next(words)
            used = set(re.findall(r"\w+", expression)) - {"and", "or", "not"}
            assert used <= names, f"-m {expression}: unknown marker"
        if option == "--hypothesis-profile":
            assert arg.split("=")[1] in ("ci", "dev", "long")  # conftest.py registers these
        elif "=" not in arg and option != "-m" and _takes_value(option, pytest_help):
            next(words)  # e.g. --portkey-record DIR: the value is not a test path


def check_command(cwd: Path, argv: list[str], pytest_help: str) -> None:
    """A recorded command is one that would work: its program, options and files exist."""
    program, args = argv[0], argv[1:]
    if program == "python":
        if args[:2] == ["-m", "pip"]:
            _check_pip(args[2:])
        elif args[:2] == ["-m", "pytest"]:
            _check_pytest(args[2:], pytest_help)
        elif args[:2] == ["-m", "build"]:
            assert args[2:] == [], args
        else:
            assert args and args[0].startswith("bench/") and (cwd / args[0]).is_file(), args
    elif program == "pytest":
        _check_pytest(args, pytest_help)
    elif program == "mock-portkey":
        try:
            parse_args(args)
        except SystemExit:
            pytest.fail(f"mock-portkey {shlex.join(args)}: the CLI refuses it", pytrace=False)
    elif program == "apt-get":
        assert args[:2] == ["install", "-y"] and args[2:], args
    elif program == "npm":
        assert args[:2] == ["ci", "--ignore-scripts"], args
        assert (cwd / "package-lock.json").is_file(), cwd
    elif program == "node":
        from tests.conformance.gateway import _START

        assert Path(args[0]) == _START, args  # what the conformance suite starts
        assert re.fullmatch(r"--port=\d+", args[1]) and args[2:] == ["--headless"], args
    elif program in ("ruff", "mypy"):
        assert shutil.which(program), f"{program} is in the test extra"
    elif program == "./run-tests":
        script = cwd / "run-tests"
        assert os.access(script, os.X_OK)
        assert subprocess.run(["bash", "-n", str(script)], timeout=30).returncode == 0
    else:  # pragma: no cover - every stubbed name is handled above
        pytest.fail(f"no check for {program}")
