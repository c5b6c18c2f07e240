"""docs/integrators.md, run: every `sh` block against a live server, each answer compared with
the `json` block the guide shows after it."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from refuge.api.tokens import create_token
from refuge.testing import build_world, register

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "integrators.md"
BLOCK = re.compile(r"```(sh|json)\n(.*?)```", re.S)
ANY = "…"


def _examples() -> list[tuple[str, object]]:
    blocks = BLOCK.findall(GUIDE.read_text(encoding="utf-8"))
    pairs = []
    for (kind, body), (next_kind, shown) in zip(blocks, blocks[1:], strict=False):
        if kind == "sh" and next_kind == "json":
            pairs.append((body, json.loads(shown)))
    return pairs


def _contains(actual, shown, where="") -> list[str]:
    """What in `shown` the answer does not have (the guide may show less than there is)."""
    if shown == ANY:
        return [] if actual is not None else [f"{where}: missing"]
    if isinstance(shown, dict):
        if not isinstance(actual, dict):
            return [f"{where}: {actual!r} is not an object"]
        return [
            problem
            for key, value in shown.items()
            for problem in (
                _contains(actual[key], value, f"{where}.{key}")
                if key in actual
                else [f"{where}.{key}: missing"]
            )
        ]
    if isinstance(shown, list):
        if not isinstance(actual, list) or len(actual) < len(shown):
            return [f"{where}: {actual!r} has fewer than {len(shown)} items"]
        return [
            p for i, item in enumerate(shown) for p in _contains(actual[i], item, f"{where}.{i}")
        ]
    return [] if actual == shown else [f"{where}: {actual!r}, the guide says {shown!r}"]


def test_the_guide_has_examples_for_each_topic():
    text = "\n".join(body for body, _shown in _examples())
    assert "Authorization: Bearer" in text
    assert "page_size" in text and "updated_after" in text
    assert text.count("Idempotency-Key") >= 3
    assert "Accept-Language: ru" in text


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")
def test_every_curl_example_in_the_guide_answers_as_shown(audit_flushable, live_server, tmp_path):
    world = build_world()
    clerk = world.user("clerk_perm")
    household = register(world.perm, clerk)
    register(world.perm, clerk)  # a second family, so that a page of two has a next page
    _token, token = create_token(owner=clerk, name="guide", scope="write", by=clerk)
    _token, read_token = create_token(owner=clerk, name="guide", scope="read", by=clerk)
    env = {
        **os.environ,
        "REFUGE": live_server.url,
        "TOKEN": token,
        "READ_TOKEN": read_token,
        "HOUSEHOLD": str(household.pk),
        "SITE": str(world.perm.pk),
    }
    examples = _examples()
    assert len(examples) >= 10

    for script, shown in examples:
        run = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 0, f"{script}\n{run.stderr}"
        answer = json.loads(run.stdout)
        problems = _contains(answer, shown)
        assert not problems, f"{script}\n{json.dumps(answer, ensure_ascii=False)[:800]}\n{problems}"
