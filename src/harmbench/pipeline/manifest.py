"""The run manifest: what a run's numbers depend on, recorded in the store so runs can be compared.

`compare_manifests(a, b)` names the settings that differ and can change ASR (models and their chat
templates, decoding, judges and their prompts, method hyperparameters, behaviors, seeds), apart
from those that cannot (library versions, paths).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
from collections.abc import Sequence
from typing import Any

from harmbench.behaviors import Behavior

LIBRARIES = ("harmbench", "torch", "transformers", "tokenizers", "vllm", "ray", "spacy", "numpy")


def sha256_json(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def behaviors_checksum(behaviors: Sequence[Behavior]) -> str:
    """Checksum of what targets and judges see of each behavior (not of the file it came from)."""
    return sha256_json([[b.behavior_id, b.behavior, b.functional_category, b.semantic_category, b.context_string,
                         b.redacted_image_description, b.target] for b in behaviors])


def library_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def build_manifest(*, jobs, models: dict[str, dict], behaviors_name: str, behaviors: Sequence[Behavior],
                   max_new_tokens: int, judges: dict[str, dict], seed: int) -> dict:
    return {
        "versions": library_versions(),
        "behaviors": {"dataset": behaviors_name, "n": len(behaviors), "sha256": behaviors_checksum(behaviors)},
        "methods": {job.key: {"method": job.method, "hyperparameters_sha256": sha256_json(job.hyperparameters),
                              "models": job.models} for job in jobs},
        "models": models,
        "decoding": {"max_new_tokens": max_new_tokens, "temperature": 0.0, "top_p": 1.0},
        "judges": {name: {**identity, "sha256": sha256_json(identity)} for name, identity in judges.items()},
        "seed": seed,
    }


# Parts of a manifest whose differences cannot change ASR.
_INERT = ("versions",)


def compare_manifests(a: dict, b: dict) -> list[str]:
    """Settings that differ between two manifests and can change ASR, as 'path: a -> b' lines."""
    out: list[str] = []

    def walk(x: Any, y: Any, path: str) -> None:
        if path.split(".")[0] in _INERT:
            return
        if isinstance(x, dict) and isinstance(y, dict):
            for key in sorted(set(x) | set(y)):
                walk(x.get(key), y.get(key), f"{path}.{key}" if path else key)
        elif x != y:
            out.append(f"{path}: {json.dumps(x, default=str)[:80]} -> {json.dumps(y, default=str)[:80]}")

    walk(a, b, "")
    return out
