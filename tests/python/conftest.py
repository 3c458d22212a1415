"""Shared fixtures: the built hyperpipe binaries and a Hyper process from the official API.

These tests compare hyperpipe with the reference tools (tableauhyperapi, pantab). They never
skip: a missing binary or missing hyperd is a failure."""
import os
import pathlib
import re
import subprocess

import pytest
from tableauhyperapi import HyperProcess, Telemetry

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("HYPERPIPE_BUILD_DIR", ROOT / "build" / "ci"))


def _binary(relative):
    path = BUILD / relative
    assert path.exists(), f"{path} is missing: build first (scripts/test does)"
    return path


@pytest.fixture(scope="session")
def hyperpipe():
    """Runs the hyperpipe CLI; returns the CompletedProcess (text mode)."""
    binary = _binary("src/hyperpipe")

    def run(*args, check=True, raw=False):
        # raw=True keeps stdout as bytes (no newline translation), e.g. to check CSV's CRLF.
        result = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=not raw, timeout=300)
        if check:
            assert result.returncode == 0, f"hyperpipe {args} failed ({result.returncode}):\n{result.stderr}"
        return result

    return run


PROGRESS_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [^:]+: ")


def error_lines(stderr):
    """stderr from the error on: what comes before it may only be progress lines (the display's
    timestamped lines when stderr is not a terminal)."""
    lines = stderr.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("hyperpipe: error: "))
    assert all(PROGRESS_LINE.match(line) for line in lines[:first]), lines[:first]
    return lines[first:]


@pytest.fixture(scope="session")
def write_every_type():
    return _binary("tests/write_every_type")


@pytest.fixture(scope="session")
def hyper_process(tmp_path_factory):
    # tableauhyperapi writes hyperd.log into the working directory unless told otherwise.
    logs = tmp_path_factory.mktemp("hyperd-logs")
    with HyperProcess(Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU, parameters={"log_dir": str(logs)}) as process:
        yield process


@pytest.fixture(scope="session", autouse=True)
def private_session_locks(tmp_path_factory):
    """The per-user Tableau session locks (one session per personal access token) of every
    hyperpipe the tests start go to a folder of the test run, not the user's home."""
    os.environ["HYPERPIPE_SESSION_LOCK_DIR"] = str(tmp_path_factory.mktemp("session-locks"))
    yield


@pytest.fixture(scope="session", autouse=True)
def no_litter_in_the_checkout():
    """Nothing the tests run (hyperpipe, hyperd, the reference tools) may leave files behind."""
    before = set(ROOT.iterdir())
    yield
    new = sorted(p.name for p in set(ROOT.iterdir()) - before)
    assert not new, f"the tests left files in the checkout: {new}"
