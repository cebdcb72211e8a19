"""`harmbench data download`: pinned checksums, --from a local copy, a real HTTP server on loopback,
tampered files refused with nothing half-written, and a clear message when offline."""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from conftest import run_cli
from harmbench import DataError, load_behaviors
from harmbench.behaviors import official
from harmbench.errors import NetworkError

CORE = ["behavior_datasets", "optimizer_targets"]


def no_partials(root: Path) -> bool:
    return not [p for p in root.rglob("*") if p.name.endswith(".part")]


def test_pinned_table_covers_upstream():
    files = official.pinned_files()
    assert len(files) == 228
    assert {f.group for f in files} == set(official.GROUPS)
    assert sum(f.group == "copyright_classifier_hashes" for f in files) == 100
    assert sum(f.sha256 is None for f in files) == 30  # those are pinned by git blob SHA-1 alone


def test_git_blob_sha1_matches_git(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"some bytes\n\x00\xff")
    expected = subprocess.run(["git", "hash-object", str(path)], capture_output=True, text=True, check=True).stdout.strip()
    assert official.git_blob_sha1(path.read_bytes()) == expected


def test_check_by_git_sha1_when_sha256_unknown():
    entry = official.PinnedFile("data/x.pkl", None, None, official.git_blob_sha1(b"abc"))
    assert entry.check(b"abc") is None
    assert "git blob SHA-1" in entry.check(b"abd")


def test_install_from_shared_copy(shared_data, tmp_path):
    dest = tmp_path / "cache"
    report = official.install_from_dir(shared_data, dest)
    present = {str(p.relative_to(shared_data)) for p in shared_data.rglob("*") if p.is_file()}
    assert set(report.installed) == present & {f.relpath for f in official.pinned_files()}
    assert len(report.installed) + len(report.missing_from_source) == 228
    assert len(load_behaviors("text_all", data_dir=dest)) == 400
    status = official.status(dest)
    assert status["behavior_datasets"] == {"ok": 8, "modified": 0, "missing": 0}
    assert status["copyright_classifier_hashes"]["ok"] == 4
    again = official.install_from_dir(shared_data, dest)
    assert again.installed == [] and len(again.already_present) == len(report.installed)


def test_install_from_upstream_checkout_layout(shared_data, tmp_path):
    checkout = tmp_path / "HarmBench"
    shutil.copytree(shared_data / "behavior_datasets", checkout / "data/behavior_datasets")
    report = official.install_from_dir(checkout, tmp_path / "cache", groups=["behavior_datasets"])
    assert len(report.installed) == 8


def test_tampered_copy_is_refused(data_copy, tmp_path):
    victim = data_copy / "behavior_datasets/harmbench_behaviors_text_test.csv"
    victim.write_bytes(victim.read_bytes()[:-10])
    dest = tmp_path / "cache"
    with pytest.raises(DataError) as err:
        official.install_from_dir(data_copy, dest, groups=CORE)
    assert str(victim) in err.value.message and "does not match the pinned checksum" in err.value.message
    assert not (dest / "behavior_datasets/harmbench_behaviors_text_test.csv").exists()
    assert no_partials(dest)

    result = run_cli("data", "download", "--from", str(data_copy), "--dest", str(tmp_path / "cli"), "--only",
                     "behavior_datasets")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "harmbench_behaviors_text_test.csv" in result.stderr


@pytest.fixture
def mirror(shared_data, tmp_path):
    """A real HTTP server on loopback serving a tree laid out like upstream's repository."""
    root = tmp_path / "mirror"
    for group in CORE:
        shutil.copytree(shared_data / group, root / "data" / group)
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


def test_download_over_http(mirror, tmp_path):
    _, url = mirror
    dest = tmp_path / "cache"
    report = official.download(dest, groups=CORE, base_url=url)
    assert len(report.installed) == 15 and report.missing_from_source == []  # 8 CSVs + 7 targets
    assert len(load_behaviors("multimodal_all", data_dir=dest)) == 110
    assert no_partials(dest)


def test_download_of_tampered_file_keeps_verified_ones(mirror, tmp_path):
    root, url = mirror
    victim = root / "data/optimizer_targets/harmbench_targets_text.json"
    victim.write_bytes(victim.read_bytes().replace(b"Sure", b"Okay", 1))
    dest = tmp_path / "cache"
    with pytest.raises(DataError, match="harmbench_targets_text.json"):
        official.download(dest, groups=CORE, base_url=url)
    assert not (dest / "optimizer_targets/harmbench_targets_text.json").exists()
    assert (dest / "behavior_datasets/harmbench_behaviors_text_all.csv").is_file()  # finished work survives
    assert no_partials(dest)


def test_missing_file_on_server(mirror, tmp_path):
    _, url = mirror
    with pytest.raises(NetworkError, match="HTTP 404"):
        official.download(tmp_path / "cache", groups=["human_jailbreaks"], base_url=url)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_offline_gives_one_clear_message(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(NetworkError, match="offline"):
        official.download(tmp_path / "cache", groups=CORE, base_url=url)
    result = run_cli("data", "download", "--dest", str(tmp_path / "cli"), "--base-url", url)
    assert result.returncode == 3
    assert "Traceback" not in result.stderr and "offline" in result.stderr and "--from" in result.stderr
    assert result.stderr.count("error:") == 1


def test_cli_from_shared_reports_skipped(shared_data, tmp_path):
    result = run_cli("data", "download", "--from", str(shared_data), "--dest", str(tmp_path / "c"))
    assert result.returncode == 0, result.stderr
    assert "files installed" in result.stdout
    assert "not in" in result.stderr and "multimodal_behavior_images (105)" in result.stderr
    status = run_cli("data", "status", "--data-dir", str(tmp_path / "c"), "--json")
    assert '"missing": 0' in status.stdout
