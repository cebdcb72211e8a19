"""Upstream HarmBench's data files: where they live, their pinned checksums, and how to get them.

The data directory mirrors upstream's `data/` folder (`behavior_datasets/...`,
`optimizer_targets/...`); upstream's human-jailbreak templates (`baselines/human_jailbreaks/
jailbreaks.py`) go to `human_jailbreaks/jailbreaks.py` inside it. Every file is checked against the
table pinned in `pinned_files.tsv` (SHA-256 where known, else git's blob SHA-1), so downloaded
data is exactly upstream's at `PINNED_COMMIT`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from harmbench.errors import DataError, NetworkError

PINNED_COMMIT = "8e1604d1171fe8a48d8febecd22f600e462bdcdd"
DEFAULT_BASE_URL = f"https://raw.githubusercontent.com/centerforaisafety/HarmBench/{PINNED_COMMIT}"
DATA_DIR_ENV = "HARMBENCH_DATA_DIR"
BASE_URL_ENV = "HARMBENCH_DATA_BASE_URL"  # a mirror laid out like upstream's repository

GET_IT_HINT = (
    "run `harmbench data download` (or `harmbench data download --from DIR` to install from a "
    "local copy of upstream's data/ folder), or point --data-dir / $HARMBENCH_DATA_DIR at one"
)


@dataclass(frozen=True)
class PinnedFile:
    upstream_path: str  # path in upstream's repository, e.g. data/behavior_datasets/x.csv
    size: int | None
    sha256: str | None
    git_blob_sha1: str

    @property
    def relpath(self) -> str:
        """Path inside the data directory."""
        if self.upstream_path.startswith("data/"):
            return self.upstream_path[len("data/"):]
        return self.upstream_path.removeprefix("baselines/")

    @property
    def group(self) -> str:
        return self.relpath.split("/", 1)[0]

    def check(self, content: bytes) -> str | None:
        """None if `content` is this file, else a sentence saying how it differs."""
        if self.size is not None and len(content) != self.size:
            return f"size {len(content)} bytes, expected {self.size}"
        if self.sha256 is not None:
            got = hashlib.sha256(content).hexdigest()
            return None if got == self.sha256 else f"SHA-256 {got}, expected {self.sha256}"
        got = git_blob_sha1(content)
        return None if got == self.git_blob_sha1 else f"git blob SHA-1 {got}, expected {self.git_blob_sha1}"


def git_blob_sha1(content: bytes) -> str:
    """The object id git gives a file with these bytes."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def pinned_files() -> list[PinnedFile]:
    text = resources.files("harmbench.behaviors").joinpath("pinned_files.tsv").read_text("utf-8")
    files = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        path, size, sha256, sha1 = line.split("\t")
        files.append(PinnedFile(path, None if size == "-" else int(size), None if sha256 == "-" else sha256, sha1))
    return files


GROUPS = (
    "behavior_datasets",
    "optimizer_targets",
    "classifier_val_sets",
    "copyright_classifier_hashes",
    "multimodal_behavior_images",
    "human_jailbreaks",
)


def pinned_by_relpath() -> dict[str, PinnedFile]:
    return {f.relpath: f for f in pinned_files()}


def default_data_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("harmbench")) / f"data-{PINNED_COMMIT[:7]}"


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """The data directory: the argument, else $HARMBENCH_DATA_DIR, else the user cache."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    return Path(env).expanduser() if env else default_data_dir()


def verify_official_file(data_dir: Path, relpath: str) -> Path:
    """Path of an official file in `data_dir`, after checking it is there and unmodified."""
    path = data_dir / relpath
    if not path.is_file():
        raise DataError(f"upstream file {relpath} is not in the data directory {data_dir}", hint=GET_IT_HINT)
    problem = pinned_by_relpath()[relpath].check(path.read_bytes())
    if problem:
        raise DataError(
            f"{path} is not upstream's file at commit {PINNED_COMMIT[:7]} ({problem})",
            hint="re-run `harmbench data download`; to use a modified copy on purpose, load it by path",
        )
    return path


# ---------------------------------------------------------------- installing


@dataclass
class InstallReport:
    installed: list[str]
    already_present: list[str]
    missing_from_source: list[str]


def _selected(groups: Iterable[str] | None) -> list[PinnedFile]:
    wanted = set(groups or GROUPS)
    unknown = wanted - set(GROUPS)
    if unknown:
        raise DataError(f"unknown data group(s): {', '.join(sorted(unknown))}", hint=f"choose from: {', '.join(GROUPS)}")
    return [f for f in pinned_files() if f.group in wanted]


def _write_atomic(dest: Path, content: bytes) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _present_and_valid(dest: Path, entry: PinnedFile) -> bool:
    return dest.is_file() and entry.check(dest.read_bytes()) is None


def _install(
    entries: list[PinnedFile],
    dest_dir: Path,
    read: Callable[[PinnedFile], bytes | None],
    origin: Callable[[PinnedFile], str],
    progress: Callable[[str], None] | None,
) -> InstallReport:
    """Fetch, verify and atomically place each file; the first mismatch aborts, naming the file.

    Files placed before a failure are verified and stay (finished work survives); a file that fails
    its check is never written.
    """
    report = InstallReport([], [], [])
    for entry in entries:
        dest = dest_dir / entry.relpath
        if _present_and_valid(dest, entry):
            report.already_present.append(entry.relpath)
            continue
        content = read(entry)
        if content is None:
            report.missing_from_source.append(entry.relpath)
            continue
        problem = entry.check(content)
        if problem:
            raise DataError(
                f"{origin(entry)} does not match the pinned checksum ({problem}); nothing was written for it",
                hint="the source is corrupt or not upstream's data at commit "
                f"{PINNED_COMMIT[:7]}; get a clean copy and retry (files already installed were kept)",
            )
        _write_atomic(dest, content)
        report.installed.append(entry.relpath)
        if progress:
            progress(entry.relpath)
    return report


def install_from_dir(
    source: str | os.PathLike,
    dest_dir: Path,
    groups: Iterable[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> InstallReport:
    """Install the pinned files found in a local copy (a `data/` folder or an upstream checkout)."""
    src = Path(source).expanduser()
    if not src.is_dir():
        raise DataError(f"--from {src}: not a directory", hint="give the folder that holds behavior_datasets/")

    def candidates(entry: PinnedFile) -> list[Path]:
        return [src / entry.relpath, src / entry.upstream_path]

    def read(entry: PinnedFile) -> bytes | None:
        for path in candidates(entry):
            if path.is_file():
                return path.read_bytes()
        return None

    def origin(entry: PinnedFile) -> str:
        return str(next((p for p in candidates(entry) if p.is_file()), candidates(entry)[0]))

    return _install(_selected(groups), dest_dir, read, origin, progress)


def download(
    dest_dir: Path,
    groups: Iterable[str] | None = None,
    progress: Callable[[str], None] | None = None,
    timeout: float = 60.0,
    base_url: str | None = None,
) -> InstallReport:
    """Download the pinned files from upstream's repository at `PINNED_COMMIT` (or a mirror)."""
    base = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
    host = urllib.parse.urlsplit(base).netloc or base

    def url(entry: PinnedFile) -> str:
        return f"{base}/{entry.upstream_path}"

    def read(entry: PinnedFile) -> bytes:
        try:
            with urllib.request.urlopen(url(entry), timeout=timeout) as response:
                return response.read()
        except urllib.error.HTTPError as err:
            raise NetworkError(f"downloading {url(entry)} failed: HTTP {err.code} {err.reason}",
                               hint="retry later; files already downloaded were kept") from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise NetworkError(
                f"cannot reach {host} ({reason}): this machine seems to be offline",
                hint="connect and retry, or install from a local copy: harmbench data download --from DIR",
            ) from None

    return _install(_selected(groups), dest_dir, read, url, progress)


def status(data_dir: Path) -> dict[str, dict[str, int]]:
    """Per group: how many pinned files are present and valid, present but modified, missing."""
    result: dict[str, dict[str, int]] = {g: {"ok": 0, "modified": 0, "missing": 0} for g in GROUPS}
    for entry in pinned_files():
        path = data_dir / entry.relpath
        if not path.is_file():
            key = "missing"
        else:
            key = "ok" if entry.check(path.read_bytes()) is None else "modified"
        result[entry.group][key] += 1
    return result
