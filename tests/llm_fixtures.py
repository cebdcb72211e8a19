"""A configs folder whose `standin` model is the rule-based stand-in LLM served over a loopback
OpenAI-compatible server: every `toy` experiment of the LLM-driven attacks then talks to its
attacker, judge or mutator over real HTTP, concurrently, through the `openai` backend.

The stand-in stands in for a strong attacker/judge LLM, which cannot run here. `toy_twin` is a
second name for the toy model, a second target for transfer runs.
"""

from __future__ import annotations

import shutil

import pytest
import yaml

from harmbench.config import default_configs_dir
from harmbench.models.server import serve
from harmbench.models.standin import StandInLLM


@pytest.fixture(scope="module")
def standin_server():
    with serve(StandInLLM("standin-llm"), "127.0.0.1", max_batch_size=16) as server:
        yield server


@pytest.fixture(scope="module")
def standin_configs(tmp_path_factory, standin_server):
    root = tmp_path_factory.mktemp("configs")
    shutil.copytree(default_configs_dir(), root, dirs_exist_ok=True)
    models_file = root / "model_configs" / "models.yaml"
    models = yaml.safe_load(models_file.read_text())
    models["standin"] = {"model": {"model_name_or_path": "standin-llm", "base_url": standin_server.url,
                                   "max_concurrency": 8, "timeout": 30.0, "max_retries": 2},
                         "model_type": "closed_source", "num_gpus": 0}
    models["toy_twin"] = dict(models["toy"])
    models_file.write_text(yaml.safe_dump(models, sort_keys=False))
    return root
