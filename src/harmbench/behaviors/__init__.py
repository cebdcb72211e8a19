"""Behaviors: the `Behavior` record, upstream's file formats, named datasets and the official data download."""

from harmbench.behaviors.datasets import DATASETS, dataset_stats, demo_dir, load_behaviors
from harmbench.behaviors.record import CONTEXT_SEPARATOR, FUNCTIONAL_CATEGORIES, SEMANTIC_CATEGORIES, Behavior, compose_prompt

__all__ = [
    "CONTEXT_SEPARATOR",
    "DATASETS",
    "FUNCTIONAL_CATEGORIES",
    "SEMANTIC_CATEGORIES",
    "Behavior",
    "compose_prompt",
    "dataset_stats",
    "demo_dir",
    "load_behaviors",
]
