"""Regenerate harmbench's pinned checksum table from a HarmBench data manifest.

Usage: python scripts/pin_upstream_data.py ../shared/harmbench-data/UPSTREAM_MANIFEST.tsv

The manifest lists every upstream data file at the pinned commit (path, size, git blob SHA-1,
SHA-256 or '-' where unknown). We keep our own table (`src/harmbench/behaviors/pinned_files.tsv`):
upstream path, size, SHA-256, git blob SHA-1 — the download verifies SHA-256 when known and the
git blob SHA-1 otherwise.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/harmbench/behaviors/pinned_files.tsv"


def main(manifest: str) -> None:
    with open(manifest, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    lines = ["# upstream_path\tbytes\tsha256\tgit_blob_sha1"]
    for row in sorted(rows, key=lambda r: r["path"]):
        size = row["bytes"] if row["bytes"].isdigit() else "-"
        lines.append("\t".join([row["path"], size, row["sha256"], row["git_blob_sha1"]]))
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} entries to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
