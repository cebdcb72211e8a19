"""Named behavior datasets: upstream's official sets (from the data directory) and our demo set."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from harmbench.behaviors.loaders import attach_targets, read_behaviors_csv, read_targets_json
from harmbench.behaviors.official import GET_IT_HINT, resolve_data_dir, verify_official_file
from harmbench.behaviors.record import Behavior
from harmbench.errors import DataError


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    files: tuple[str, ...]  # behaviors CSVs, relative to the data directory (or the demo folder)
    targets: str | None  # optimizer-targets JSON, same base
    images: str | None = None  # image folder, same base


OFFICIAL = {
    d.name: d
    for d in (
        Dataset("text_all", "HarmBench text behaviors, validation + test (400)",
                ("behavior_datasets/harmbench_behaviors_text_all.csv",), "optimizer_targets/harmbench_targets_text.json"),
        Dataset("text_val", "HarmBench text behaviors, validation split (80)",
                ("behavior_datasets/harmbench_behaviors_text_val.csv",), "optimizer_targets/harmbench_targets_text.json"),
        Dataset("text_test", "HarmBench text behaviors, test split (320)",
                ("behavior_datasets/harmbench_behaviors_text_test.csv",), "optimizer_targets/harmbench_targets_text.json"),
        Dataset("multimodal_all", "HarmBench multimodal behaviors (110)",
                ("behavior_datasets/harmbench_behaviors_multimodal_all.csv",),
                "optimizer_targets/harmbench_targets_multimodal.json", "multimodal_behavior_images"),
        Dataset("advbench", "AdvBench harmful behaviors (520)",
                ("behavior_datasets/extra_behavior_datasets/advbench_behaviors.csv",),
                "optimizer_targets/extra_targets/advbench_targets.json"),
        Dataset("tdc2023", "TDC 2023 red-teaming track, test phase (50)",
                ("behavior_datasets/extra_behavior_datasets/tdc2023_test_phase_behaviors.csv",),
                "optimizer_targets/extra_targets/tdc2023_test_phase_targets.json"),
        Dataset("adv_training", "behaviors for R2D2 adversarial training, 12 targets each (100)",
                ("behavior_datasets/extra_behavior_datasets/adv_training_behaviors.csv",),
                "optimizer_targets/extra_targets/adv_training_targets.json"),
    )
}
DEMO = Dataset(
    "demo",
    "harmbench's own low-severity demo set: every functional and semantic category (24)",
    ("demo_behaviors_text.csv", "demo_behaviors_multimodal.csv"),
    "demo_targets.json",
    "images",
)
DATASETS = {**OFFICIAL, DEMO.name: DEMO}


def demo_dir() -> Path:
    """Folder of the demo dataset shipped inside the package (its copyright texts are in copyright/)."""
    return Path(str(resources.files("harmbench.behaviors").joinpath("demo")))


def load_behaviors(
    name_or_path: str | os.PathLike,
    data_dir: str | os.PathLike | None = None,
    targets_path: str | os.PathLike | None = None,
) -> list[Behavior]:
    """Behaviors of a named dataset (`text_all`, `text_val`, `text_test`, `multimodal_all`, `advbench`,
    `tdc2023`, `adv_training`, `demo`) or of a CSV file in one of upstream's layouts.

    Official datasets are read from the data directory (`data_dir`, else $HARMBENCH_DATA_DIR, else
    the user cache filled by `harmbench data download`) after checking they are upstream's files.
    A CSV given by path gets targets only from `targets_path`.
    """
    key = os.fspath(name_or_path)
    if key in DATASETS:
        return _load_named(DATASETS[key], data_dir)
    path = Path(key)
    if not path.suffix and not path.exists():
        close = ", ".join(sorted(DATASETS))
        raise DataError(f"unknown dataset {key!r}", hint=f"use one of: {close}; or give the path of a behaviors CSV")
    behaviors = read_behaviors_csv(path, image_dir=path.parent)
    return attach_targets(behaviors, read_targets_json(targets_path)) if targets_path else behaviors


def _load_named(dataset: Dataset, data_dir: str | os.PathLike | None) -> list[Behavior]:
    if dataset is DEMO:
        base = demo_dir()
        files = [base / f for f in dataset.files]
        targets = base / dataset.targets if dataset.targets else None
    else:
        base = resolve_data_dir(data_dir)
        if not (base / dataset.files[0]).is_file():
            raise DataError(f"dataset {dataset.name!r} is not in the data directory {base}", hint=GET_IT_HINT)
        files = [verify_official_file(base, f) for f in dataset.files]
        targets = verify_official_file(base, dataset.targets) if dataset.targets else None
    image_dir = base / dataset.images if dataset.images else None
    behaviors = [b for f in files for b in read_behaviors_csv(f, image_dir=image_dir)]
    return attach_targets(behaviors, read_targets_json(targets)) if targets else behaviors


def dataset_stats(behaviors: list[Behavior]) -> dict[str, dict[str, int]]:
    """Counts by functional and by semantic category (`unspecified` where a set has none)."""
    functional: dict[str, int] = {}
    semantic: dict[str, int] = {}
    for b in behaviors:
        functional[b.functional_category] = functional.get(b.functional_category, 0) + 1
        key = b.semantic_category or "unspecified"
        semantic[key] = semantic.get(key, 0) + 1
    by_count = lambda d: dict(sorted(d.items(), key=lambda kv: (-kv[1], kv[0])))  # noqa: E731
    return {"functional_category": by_count(functional), "semantic_category": by_count(semantic)}
