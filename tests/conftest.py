"""Shared fixtures. Upstream's data and configs are read from ../shared (never from the network);
$HARMBENCH_SHARED_DIR points elsewhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HARMBENCH_SHARED_DIR", REPO.parent / "shared"))


def _shared(sub: str) -> Path:
    path = SHARED / sub
    if not path.is_dir():
        pytest.skip(f"upstream reference copy {path} is absent (set HARMBENCH_SHARED_DIR)")
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Upstream's data/ folder at the pinned commit (partial: some pickles and images only)."""
    return _shared("harmbench-data")


@pytest.fixture(scope="session")
def shared_configs() -> Path:
    """Upstream's configs/ folder."""
    return _shared("harmbench-configs")


@pytest.fixture
def data_copy(shared_data: Path, tmp_path: Path) -> Path:
    """A writable copy of the behavior datasets and targets, to tamper with."""
    dest = tmp_path / "data"
    for sub in ("behavior_datasets", "optimizer_targets"):
        shutil.copytree(shared_data / sub, dest / sub)
    return dest


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read or fill the user's real cache from tests."""
    monkeypatch.setenv("HARMBENCH_DATA_DIR", str(tmp_path_factory.mktemp("empty-cache")))


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the real `harmbench` command in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "harmbench", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)
