"""The demo dataset through the public loader: every category, targets, images and reference texts."""

from __future__ import annotations

from harmbench import load_behaviors
from harmbench.behaviors import FUNCTIONAL_CATEGORIES, SEMANTIC_CATEGORIES, dataset_stats, demo_dir


def test_demo_covers_every_category():
    behaviors = load_behaviors("demo")
    stats = dataset_stats(behaviors)
    assert 20 <= len(behaviors) <= 30
    assert set(stats["functional_category"]) == set(FUNCTIONAL_CATEGORIES)
    assert set(stats["semantic_category"]) == set(SEMANTIC_CATEGORIES)


def test_demo_targets_images_and_texts():
    for b in load_behaviors("demo"):
        assert b.target and b.target.startswith("Sure, here"), b.behavior_id
        if b.is_multimodal:
            assert b.image_path and b.image_path.is_file() and b.image_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        if b.is_copyright:
            assert (demo_dir() / "copyright" / f"{b.behavior_id}.txt").is_file()
        if b.is_contextual:
            assert b.prompt().startswith(b.context_string) and b.prompt().endswith("\n\n---\n\n" + b.behavior)
