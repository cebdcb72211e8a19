"""Readers for upstream's behaviors CSVs and optimizer-targets JSON, with errors that name file and line."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from harmbench.behaviors.record import FUNCTIONAL_CATEGORIES, SEMANTIC_CATEGORIES, Behavior
from harmbench.errors import DataError

# Upstream's CSV layouts, by their header (spec FORMATS.md §2).
TEXT_COLUMNS = ("Behavior", "FunctionalCategory", "SemanticCategory", "Tags", "ContextString", "BehaviorID")
MULTIMODAL_COLUMNS = (
    "Behavior", "BehaviorID", "FunctionalCategory", "SemanticCategory", "ImageFileName", "Source",
    "ImageDescription", "RedactedImageDescription", "Tags",
)
EXTRA_COLUMNS = ("Behavior", "Category", "Tags", "ContextString", "BehaviorID")  # advbench, tdc2023, adv_training
SMOKE_COLUMNS = ("Behavior", "SemanticCategory", "Category", "Tags", "ContextString", "BehaviorID")  # 2_behaviors
LAYOUTS = {"text": TEXT_COLUMNS, "multimodal": MULTIMODAL_COLUMNS, "extra": EXTRA_COLUMNS, "smoke": SMOKE_COLUMNS}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def read_text(path: Path) -> str:
    """A file's text as UTF-8 (a BOM is tolerated); bad bytes are reported with their line."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise DataError(
            f"byte 0x{data[err.start]:02x} at offset {err.start} is not valid UTF-8",
            where=f"{path}:{line}",
            hint="save the file as UTF-8",
        ) from None


def check_behavior_id(behavior_id: str, where: str) -> None:
    """Refuse IDs that would be unsafe where upstream uses them as folder and file names.

    Upstream writes `test_cases_individual_behaviors/<BehaviorID>/` and reads
    `copyright_classifier_hashes/<BehaviorID>.pkl`, so an ID must not be absolute, contain a `..`
    component, control characters, or exceed a file name's length. (A `/` inside an ID is allowed:
    upstream's TDC-2023 set uses behavior texts such as "... queer/LGBTQ+ ..." as IDs.)
    """
    problem = None
    if not behavior_id.strip():
        problem = "is empty"
    elif _CONTROL.search(behavior_id):
        problem = "contains a control character"
    elif behavior_id.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", behavior_id):
        problem = "is an absolute path"
    elif any(part in (".", "..") for part in re.split(r"[/\\]", behavior_id)):
        problem = "contains a '.' or '..' path component"
    elif len(behavior_id.encode("utf-8")) > 255:
        problem = "is longer than 255 bytes"
    if problem:
        raise DataError(
            f"BehaviorID {behavior_id!r} is not a safe file name: it {problem}",
            where=where,
            hint="use a snake_case identifier such as 'fake_review_toaster'",
        )


def _layout_of(header: list[str], where: str) -> tuple[str, tuple[str, ...]]:
    columns = set(header)
    for name, layout in LAYOUTS.items():
        if set(layout) <= columns:
            return name, layout
    # Closest layout by overlap, to name what is missing.
    name, layout = max(LAYOUTS.items(), key=lambda kv: len(set(kv[1]) & columns))
    missing = [c for c in layout if c not in columns]
    raise DataError(
        f"missing column(s) {', '.join(missing)} in the header {header}",
        where=where,
        hint=f"a {name} behaviors file needs the columns: {', '.join(layout)}",
    )


def _split_tags(tags: str) -> tuple[str, ...]:
    # Upstream splits on ", " exactly.
    return tuple(t for t in tags.split(", ") if t) if tags else ()


def read_behaviors_csv(path: str | Path, image_dir: Path | None = None) -> list[Behavior]:
    """Behaviors from one of upstream's CSV layouts (text, multimodal, extra sets, smoke test)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"behaviors file {path} does not exist", hint="check the path or the dataset name")
    text = read_text(path)
    if not text.strip():
        raise DataError("the file is empty", where=str(path),
                        hint=f"a behaviors CSV starts with a header row such as: {','.join(TEXT_COLUMNS)}")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
        layout_name, _ = _layout_of(header, f"{path}:1")
        behaviors: list[Behavior] = []
        first_line: dict[str, int] = {}
        line = reader.line_num + 1
        for fields in reader:
            where = f"{path}:{line}"
            line = reader.line_num + 1
            if not fields or all(not f for f in fields):
                continue  # blank line
            if len(fields) != len(header):
                raise DataError(f"expected {len(header)} fields as in the header, found {len(fields)}",
                                where=where, hint="quote fields that contain commas or newlines")
            row = dict(zip(header, fields))
            behavior = _behavior_from_row(row, layout_name, where, image_dir)
            if behavior.behavior_id in first_line:
                raise DataError(
                    f"duplicate BehaviorID {behavior.behavior_id!r} (first seen on line "
                    f"{first_line[behavior.behavior_id]})",
                    where=where, hint="every BehaviorID must be unique within a file",
                )
            first_line[behavior.behavior_id] = int(where.rsplit(":", 1)[1])
            behaviors.append(behavior)
    except csv.Error as err:
        raise DataError(f"malformed CSV: {err}", where=f"{path}:{reader.line_num}",
                        hint="check for an unclosed double quote") from None
    if not behaviors:
        raise DataError("the file has a header but no behaviors", where=str(path))
    return behaviors


def _behavior_from_row(row: dict[str, str], layout: str, where: str, image_dir: Path | None) -> Behavior:
    behavior_id = row["BehaviorID"]
    check_behavior_id(behavior_id, where)
    if not row["Behavior"].strip():
        raise DataError(f"behavior {behavior_id!r} has an empty Behavior text", where=where)
    tags = _split_tags(row.get("Tags", ""))
    context = row.get("ContextString", "")

    if layout in ("text", "multimodal"):
        functional = row["FunctionalCategory"]
        allowed = ("multimodal",) if layout == "multimodal" else FUNCTIONAL_CATEGORIES[:3]
        if functional not in allowed:
            raise DataError(f"unknown FunctionalCategory {functional!r} for {behavior_id!r}", where=where,
                            hint=f"use one of: {', '.join(allowed)}")
    else:  # extra/smoke sets carry no functional category: derive it from the tags as upstream does
        functional = "contextual" if "context" in tags else "copyright" if "hash_check" in tags else "standard"

    semantic: str | None = row.get("SemanticCategory") or None
    if layout != "extra" and semantic not in SEMANTIC_CATEGORIES:
        raise DataError(f"unknown SemanticCategory {row.get('SemanticCategory', '')!r} for {behavior_id!r}",
                        where=where, hint=f"use one of: {', '.join(SEMANTIC_CATEGORIES)}")

    if functional == "contextual" and not context.strip():
        raise DataError(f"contextual behavior {behavior_id!r} has an empty ContextString", where=where,
                        hint="give the context document, or make the behavior standard")
    if functional != "contextual" and context.strip():
        raise DataError(f"{functional} behavior {behavior_id!r} has a ContextString", where=where,
                        hint="only contextual behaviors (tag 'context') carry a context")
    if functional == "copyright" and not ({"book", "lyrics"} & set(tags)):
        raise DataError(f"copyright behavior {behavior_id!r} needs the tag 'book' or 'lyrics'", where=where,
                        hint="tag it 'lyrics, hash_check' or 'book, hash_check'")

    image = row.get("ImageFileName", "")
    return Behavior(
        behavior_id=behavior_id,
        behavior=row["Behavior"],
        functional_category=functional,
        semantic_category=semantic,
        tags=tags,
        context_string=context,
        image_file_name=image,
        source=row.get("Source", ""),
        image_description=row.get("ImageDescription", ""),
        redacted_image_description=row.get("RedactedImageDescription", ""),
        image_path=(image_dir / image) if (image and image_dir is not None) else None,
    )


def read_targets_json(path: str | Path) -> dict[str, tuple[str, ...]]:
    """BehaviorID -> target(s) from an optimizer-targets JSON (a string, or a list for adv-training sets)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"targets file {path} does not exist")
    text = read_text(path)
    if not text.strip():
        raise DataError("the file is empty", where=str(path), hint='expected a JSON object {"BehaviorID": "Sure, here is ..."}')
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise DataError(f"invalid JSON: {err.msg}", where=f"{path}:{err.lineno}:{err.colno}") from None
    if not isinstance(data, dict):
        raise DataError(f"expected a JSON object keyed by BehaviorID, found {type(data).__name__}", where=str(path))
    targets: dict[str, tuple[str, ...]] = {}
    for key, value in data.items():
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise DataError(f"target of {key!r} must be a string or a list of strings", where=str(path))
        # Upstream's adversarial-training lists hold a few empty strings; an empty target cannot be
        # optimised towards, so they are dropped.
        values = [v for v in values if v]
        if not values:
            raise DataError(f"target of {key!r} is empty", where=str(path))
        targets[key] = tuple(values)
    return targets


def attach_targets(behaviors: list[Behavior], targets: dict[str, tuple[str, ...]]) -> list[Behavior]:
    from dataclasses import replace

    out = []
    for b in behaviors:
        t = targets.get(b.behavior_id)
        out.append(replace(b, target=t[0], targets=t) if t else b)
    return out
