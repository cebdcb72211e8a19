"""Stdlib-only checks of the demo dataset files shipped in `harmbench/behaviors/demo/`.

These read the files directly (csv, json, struct, zlib), so they hold whatever the loader code does.
"""

from __future__ import annotations

import csv
import json
import re
import struct
import subprocess
import sys
import zlib
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "src" / "harmbench" / "behaviors" / "demo"
TEXT_CSV = DEMO / "demo_behaviors_text.csv"
MM_CSV = DEMO / "demo_behaviors_multimodal.csv"
TARGETS = DEMO / "demo_targets.json"
COPYRIGHT_DIR = DEMO / "copyright"
IMAGES_DIR = DEMO / "images"
GENERATOR = ROOT / "scripts" / "make_demo_images.py"

TEXT_HEADER = ["Behavior", "FunctionalCategory", "SemanticCategory", "Tags", "ContextString", "BehaviorID"]
MM_HEADER = [
    "Behavior",
    "BehaviorID",
    "FunctionalCategory",
    "SemanticCategory",
    "ImageFileName",
    "Source",
    "ImageDescription",
    "RedactedImageDescription",
    "Tags",
]
SEMANTIC = {
    "chemical_biological",
    "copyright",
    "cybercrime_intrusion",
    "harassment_bullying",
    "harmful",
    "illegal",
    "misinformation_disinformation",
}
ID_RE = re.compile(r"[a-z0-9_]+")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Word counts a reference text must have to be useful: lyrics are a whole song; a book passage must be
# long enough for several 300-token sliding windows with stride 100.
LYRICS_WORDS = (250, 400)
BOOK_WORDS = (900, 1200)


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [dict(zip(header, row, strict=True)) for row in reader]
    return header, rows


@pytest.fixture(scope="module")
def text_rows() -> list[dict[str, str]]:
    return _read_csv(TEXT_CSV)[1]


@pytest.fixture(scope="module")
def mm_rows() -> list[dict[str, str]]:
    return _read_csv(MM_CSV)[1]


@pytest.fixture(scope="module")
def targets() -> dict[str, str]:
    return json.loads(TARGETS.read_text(encoding="utf-8"))


def _tags(row: dict[str, str]) -> list[str]:
    return row["Tags"].split(", ") if row["Tags"] else []


# ------------------------------------------------------------------------------------------- CSVs


def test_headers_are_exact():
    assert _read_csv(TEXT_CSV)[0] == TEXT_HEADER
    assert _read_csv(MM_CSV)[0] == MM_HEADER


@pytest.mark.parametrize("path", [TEXT_CSV, MM_CSV], ids=["text", "multimodal"])
def test_csv_encoding_and_line_endings(path: Path):
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf"), "no BOM, like upstream"
    data.decode("utf-8")
    assert data.endswith(b"\r\n")
    first_line = data.split(b"\r\n", 1)[0]
    assert b"\n" not in first_line  # records end in CRLF (fields may hold bare newlines)


def test_counts(text_rows, mm_rows):
    counts = Counter(r["FunctionalCategory"] for r in text_rows)
    assert counts == {"standard": 12, "contextual": 4, "copyright": 4}
    kinds = Counter(_tags(r)[0] for r in text_rows if r["FunctionalCategory"] == "copyright")
    assert kinds == {"lyrics": 2, "book": 2}
    assert len(mm_rows) == 4


def test_standard_rows_cover_six_semantic_categories_twice(text_rows):
    counts = Counter(r["SemanticCategory"] for r in text_rows if r["FunctionalCategory"] == "standard")
    assert counts == {c: 2 for c in SEMANTIC - {"copyright"}}


def test_behavior_ids_unique_and_snake_case(text_rows, mm_rows):
    ids = [r["BehaviorID"] for r in text_rows + mm_rows]
    assert len(ids) == len(set(ids))
    for bid in ids:
        assert bid.isascii() and ID_RE.fullmatch(bid), bid


def test_behaviors_are_nonempty_single_line(text_rows, mm_rows):
    for r in text_rows + mm_rows:
        b = r["Behavior"]
        assert b and b == b.strip() and "\n" not in b, r["BehaviorID"]


def test_text_categories_valid(text_rows):
    for r in text_rows:
        assert r["FunctionalCategory"] in {"standard", "contextual", "copyright"}, r
        assert r["SemanticCategory"] in SEMANTIC, r
        assert (r["SemanticCategory"] == "copyright") == (r["FunctionalCategory"] == "copyright"), r


def test_context_strings(text_rows):
    contextual = [r for r in text_rows if r["FunctionalCategory"] == "contextual"]
    for r in text_rows:
        if r["FunctionalCategory"] == "contextual":
            assert r["ContextString"].strip(), r["BehaviorID"]
            assert _tags(r) == ["context"], r["BehaviorID"]
            assert 100 <= len(r["ContextString"].split()) <= 250, r["BehaviorID"]
        else:
            assert r["ContextString"] == "", r["BehaviorID"]
    # the contexts exercise CSV quoting: newlines, and a double quote with a comma inside it
    assert all("\n" in r["ContextString"] for r in contextual)
    assert any(re.search(r'"[^"\n]*,[^"\n]*"', r["ContextString"]) for r in contextual)


def test_standard_rows_have_no_tags(text_rows):
    for r in text_rows:
        if r["FunctionalCategory"] == "standard":
            assert r["Tags"] == "", r["BehaviorID"]


def test_copyright_rows(text_rows):
    for r in (r for r in text_rows if r["FunctionalCategory"] == "copyright"):
        bid, tags = r["BehaviorID"], _tags(r)
        assert tags in (["lyrics", "hash_check"], ["book", "hash_check"]), bid
        kind = tags[0]
        assert bid.startswith("lyrics_" if kind == "lyrics" else "passage_"), bid
        if kind == "lyrics":
            assert r["Behavior"].startswith('Generate the lyrics of "'), bid
        else:
            assert r["Behavior"].startswith('Generate a long passage from "'), bid
        ref = COPYRIGHT_DIR / f"{bid}.txt"
        assert ref.is_file(), ref
        words = len(ref.read_text(encoding="utf-8").split())
        lo, hi = LYRICS_WORDS if kind == "lyrics" else BOOK_WORDS
        assert lo <= words <= hi, (bid, words)


def test_no_orphan_reference_texts(text_rows):
    copyright_ids = {r["BehaviorID"] for r in text_rows if r["FunctionalCategory"] == "copyright"}
    assert {p.stem for p in COPYRIGHT_DIR.glob("*.txt")} == copyright_ids


def test_lyrics_have_a_repeated_chorus():
    for ref in COPYRIGHT_DIR.glob("lyrics_*.txt"):
        lines = [ln for ln in ref.read_text(encoding="utf-8").splitlines() if ln.strip()]
        repeated = [ln for ln, n in Counter(lines).items() if n >= 2 and not ln.startswith("[")]
        assert len(repeated) >= 4, ref.name


def test_multimodal_rows(mm_rows):
    for r in mm_rows:
        bid = r["BehaviorID"]
        assert r["FunctionalCategory"] == "multimodal", bid
        assert r["Tags"] == "multimodal", bid
        assert r["SemanticCategory"] in SEMANTIC - {"copyright"}, bid
        assert r["ImageFileName"].endswith(".png"), bid
        assert r["Source"] == "generated by scripts/make_demo_images.py", bid
        assert r["ImageDescription"].strip() and r["RedactedImageDescription"].strip(), bid
    assert any(r["ImageDescription"] != r["RedactedImageDescription"] for r in mm_rows)


def test_all_semantic_categories_covered(text_rows, mm_rows):
    assert {r["SemanticCategory"] for r in text_rows + mm_rows} == SEMANTIC


# ---------------------------------------------------------------------------------------- targets


def test_every_behavior_has_a_target(text_rows, mm_rows, targets):
    ids = {r["BehaviorID"] for r in text_rows + mm_rows}
    assert set(targets) == ids
    for bid, target in targets.items():
        assert isinstance(target, str) and target.startswith("Sure, here"), bid
        assert "\n" not in target, bid


# ----------------------------------------------------------------------------------------- images


def _check_png(data: bytes) -> tuple[int, int]:
    """Validate a PNG's structure (signature, chunk CRCs, IHDR, IDAT size); return (width, height)."""
    assert data.startswith(PNG_SIGNATURE)
    pos, chunks = len(PNG_SIGNATURE), []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert len(body) == length, kind
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        pos += 12 + length
    assert pos == len(data)
    kinds = [k for k, _ in chunks]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    width, height, depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, color_type, interlace) == (8, 2, 0)  # 8-bit RGB, not interlaced
    raw = zlib.decompress(b"".join(body for k, body in chunks if k == b"IDAT"))
    assert len(raw) == height * (1 + 3 * width)
    return width, height


def test_images_exist_and_are_valid_pngs(mm_rows):
    for r in mm_rows:
        path = IMAGES_DIR / r["ImageFileName"]
        assert path.is_file(), path
        width, height = _check_png(path.read_bytes())
        assert 64 <= width <= 200 and 48 <= height <= 128, (path.name, width, height)


def test_no_orphan_images(mm_rows):
    assert {p.name for p in IMAGES_DIR.glob("*.png")} == {r["ImageFileName"] for r in mm_rows}


def test_generator_reproduces_identical_bytes(tmp_path, mm_rows):
    for run in ("a", "b"):
        subprocess.run(
            [sys.executable, str(GENERATOR), "--out", str(tmp_path / run)],
            check=True,
            capture_output=True,
        )
    for r in mm_rows:
        name = r["ImageFileName"]
        shipped = (IMAGES_DIR / name).read_bytes()
        assert (tmp_path / "a" / name).read_bytes() == shipped, name
        assert (tmp_path / "b" / name).read_bytes() == shipped, name
