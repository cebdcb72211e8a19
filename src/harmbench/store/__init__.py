"""The run store: a run's test cases, completions and judge labels in one SQLite file, plus
export to (and import from) upstream HarmBench's `results/` folder layout. See docs/run-store.md."""

from __future__ import annotations

from harmbench.store.runstore import Completion, Label, RunStore, TestCase
from harmbench.store.schema import SCHEMA_VERSION
from harmbench.store.upstream_layout import UpstreamExperiment, export_upstream, import_upstream, read_upstream

__all__ = [
    "SCHEMA_VERSION",
    "Completion",
    "Label",
    "RunStore",
    "TestCase",
    "UpstreamExperiment",
    "export_upstream",
    "import_upstream",
    "read_upstream",
]
