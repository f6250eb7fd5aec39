"""docs/python.md's walkthrough runs: its Python blocks, in order, against a real w2vd."""

from __future__ import annotations

import os
import re

from daemon import REPO


def test_walkthrough_runs(daemon, tmp_path, monkeypatch):
    with open(os.path.join(REPO, "docs", "python.md"), encoding="utf-8") as f:
        blocks = re.findall(r"```python\n(.*?)```", f.read(), re.S)
    assert len(blocks) >= 5
    monkeypatch.setenv("W2VD_URL", daemon.url)
    monkeypatch.delenv("W2VD_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"docs/python.md block {i + 1}", "exec"), namespace)


def test_readme_snippet_runs(daemon, tmp_path, monkeypatch):
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        section = f.read().split("## Python", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.setenv("W2VD_URL", daemon.url)
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md's Python snippet", "exec"), {})
