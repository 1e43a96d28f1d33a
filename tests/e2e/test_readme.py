"""The README stays true: its curl example works as written, its configuration table lists
every CDS_* variable of settings.py, and it opens with the two make commands."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from tests.conftest import REPO
from tests.support import assert_valid_response

README = (REPO / "README.md").read_text(encoding="utf-8")


def _curl_block() -> str:
    marker = README.index("<!-- readme-curl-example")
    match = re.search(r"```sh\n(.*?)```", README[marker:], re.S)
    assert match
    return match.group(1)


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")
def test_curl_example_works_as_written(live_server) -> None:
    command = _curl_block().replace("http://127.0.0.1:8080", live_server.base_url)
    assert live_server.base_url in command
    out = subprocess.run(  # noqa: S603
        ["bash", "-c", command], cwd=REPO, capture_output=True, text=True, check=True, timeout=30
    ).stdout
    assert_valid_response(json.loads(out))


def test_configuration_table_lists_every_setting() -> None:
    settings_src = (REPO / "cds_service" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r"\bCDS_[A-Z_]+\b", settings_src))
    assert names
    documented = set(re.findall(r"^\| `(CDS_[A-Z_]+)` \|", README, re.M))
    assert names <= documented, sorted(names - documented)


def test_readme_opens_with_the_two_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block
    commands = [ln.split("#")[0].strip() for ln in first_block.group(1).splitlines()]
    assert [c for c in commands if c] == ["make run", "make test"]
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "set -euo pipefail" in ci and re.search(r"^make test$", ci, re.M)
