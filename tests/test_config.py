"""Configs in upstream's schema: every upstream file loads and expands as upstream resolves it,
our models.yaml agrees with upstream's, and bad input names file, line or key."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from conftest import run_cli
from harmbench.config import load_configs, load_method_config, load_models_config
from harmbench.errors import ConfigError


@pytest.fixture(scope="module")
def upstream(shared_configs):
    return load_configs(shared_configs)


def test_every_upstream_config_loads(upstream):
    assert len(upstream.models.names()) == 35
    assert len(upstream.methods) == 21
    assert len(upstream.pipeline) == 24
    types = [m.model_type for m in upstream.models.models.values()]
    assert (types.count("open_source"), types.count("closed_source")) == (21, 10)
    assert (types.count("open_source_multimodal"), types.count("closed_source_multimodal")) == (3, 1)
    assert any("mistral-medium" in w and "'mode'" in w for w in upstream.warnings)
    assert upstream.models.get("mistral-medium").model_name_or_path == "mistral-medium"


def test_every_method_expands(upstream):
    for name, method in upstream.methods.items():
        ok, failed = method.all_experiments(upstream.models)
        assert ok, name
        for experiment in ok.values():
            assert "<model_name" not in json.dumps(experiment.hyperparameters), (name, experiment.name)
            for key, value in method.defaults.items():
                if key not in method.entries[experiment.key]:
                    assert experiment.hyperparameters[key] == value  # shallow update keeps the defaults
        # Failures are references upstream would also fail on when asked, e.g. num_gpus of an API model.
        for reason in failed.values():
            assert "does not resolve" in reason or "binds 0 model" in reason


def test_dynamic_expansion_substitutes_the_model_entry(upstream):
    gcg = upstream.methods["GCG"]
    exp = gcg.resolve("llama2_7b", upstream.models)
    assert exp.hyperparameters["target_model"] == upstream.models.get("llama2_7b").model
    assert exp.hyperparameters["num_steps"] == 500 and exp.hyperparameters["search_width"] == 512
    robust = gcg.resolve("zephyr_7b_robust", upstream.models)
    assert robust.hyperparameters["target_model"]["model_name_or_path"] == "cais/zephyr_7b_r2d2"


def test_manual_experiment_overrides_expansion(upstream):
    exp = upstream.methods["GCG"].resolve("baichuan2_7b", upstream.models)
    assert exp.hyperparameters["use_prefix_cache"] is False and exp.hyperparameters["check_refusal_min_loss"] == 0.5
    assert exp.hyperparameters["target_model"]["model_name_or_path"] == "baichuan-inc/Baichuan2-7B-Chat"
    orca = upstream.methods["GCG"].resolve("orca_2_7b_custom_targets", upstream.models)
    assert orca.hyperparameters["target_model"]["model_name_or_path"] == "microsoft/Orca-2-7b"
    assert orca.hyperparameters["targets_path"].endswith("harmbench_targets_text_orca.json")


def test_ensemble_references_inside_lists(upstream):
    ensemble = upstream.methods["EnsembleGCG"]
    exp = ensemble.resolve("1000steps_llama2_13b", upstream.models)
    assert exp.hyperparameters["num_steps"] == 1000
    assert exp.hyperparameters["target_models"] == [
        {"target_model": upstream.models.get("llama2_13b").model, "num_gpus": 1}]
    transfer = ensemble.resolve("llama2_7b_vicuna_7b_llama2_13b_vicuna_13b_multibehavior_1000steps", upstream.models)
    assert [t["target_model"]["model_name_or_path"] for t in transfer.hyperparameters["target_models"]][1] == \
        "lmsys/vicuna-7b-v1.3"


def test_leftmost_model_name_quirk_reproduced_and_flagged(upstream):
    autodan = upstream.methods["AutoDAN"]
    exp = autodan.resolve("zephyr_7b_robust6_data2", upstream.models)
    assert exp.models == ("zephyr_7b",)  # upstream's rule: earlier key wins
    assert exp.hyperparameters["target_model"]["model_name_or_path"] == "HuggingFaceH4/zephyr-7b-beta"
    assert any("zephyr_7b_robust6_data2" in w for w in autodan.binding_warnings(upstream.models))


def test_unresolvable_experiments_fail_only_when_asked(upstream):
    with pytest.raises(ConfigError, match="num_gpus") as err:
        upstream.methods["EnsembleGCG"].resolve("gpt-4-0613", upstream.models)
    assert "EnsembleGCG_config.yaml:" in err.value.where
    with pytest.raises(ConfigError, match="binds 0 model"):
        upstream.methods["PAIR"].resolve("test", upstream.models)
    with pytest.raises(ConfigError, match="no experiment 'llama2_7bb'") as err:
        upstream.methods["GCG"].resolve("llama2_7bb", upstream.models)
    assert "llama2_7b" in err.value.hint
    with pytest.raises(ConfigError, match="not an experiment"):
        upstream.methods["GCG"].resolve("default_method_hyperparameters", upstream.models)


def test_our_models_yaml_agrees_with_upstream(upstream):
    ours = load_configs()
    assert "toy" in ours.models
    assert ours.models.get("toy").num_gpus == 0
    for name, theirs in upstream.models.models.items():
        mine = ours.models.get(name)
        assert mine.model_type == theirs.model_type and mine.num_gpus == theirs.num_gpus, name
        assert mine.model == {k: v for k, v in theirs.model.items() if k != "token"}, name
    assert ours.pipeline == upstream.pipeline


def test_upstream_method_configs_resolve_against_our_models(upstream, shared_configs):
    ours = load_configs()
    gcg = load_method_config(shared_configs / "method_configs/GCG_config.yaml")
    assert gcg.resolve("toy", ours.models).hyperparameters["target_model"]["model_name_or_path"] == "builtin:toy-chat"


def test_unknown_model(upstream):
    with pytest.raises(ConfigError, match="unknown model 'llama2_7bx'") as err:
        upstream.models.get("llama2_7bx")
    assert "llama2_7b" in err.value.hint


def write(tmp_path, text, name="models.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


ENTRY = "m1:\n  model:\n    model_name_or_path: org/m\n  num_gpus: 1\n  model_type: open_source\n"


@pytest.mark.parametrize(
    "text,message,line",
    [
        (ENTRY + "m2:\n  model: {model_name_or_path: x}\n  model_typ: open_source\n", "unknown key 'model_typ'", 8),
        (ENTRY + "m2:\n  model: {model_name_or_path: x}\n  model_type: opensource\n", "model_type 'opensource'", 8),
        (ENTRY + "m2:\n  model: {dtype: bf16}\n  model_type: open_source\n", "model_name_or_path", 7),
        (ENTRY + "m2:\n  model: {model_name_or_path: x, dtype: bf32}\n  model_type: open_source\n", "dtype 'bf32'", 7),
        (ENTRY + "m2:\n  model: {model_name_or_path: x}\n  num_gpus: two\n  model_type: open_source\n", "num_gpus 'two'", 8),
        (ENTRY + "m1:\n  model: {model_name_or_path: x}\n", "duplicate key 'm1'", 6),
        (ENTRY + "m2:\n  model: [unclosed\n", "invalid YAML", 8),
        (ENTRY + "m2: just a string\n", "must be a mapping", 6),
    ],
)
def test_bad_models_yaml(tmp_path, text, message, line):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_models_config(path)
    assert message in err.value.message
    assert err.value.where == f"{path}:{line}"


def test_unknown_key_suggests_the_fix(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_models_config(write(tmp_path, ENTRY.replace("num_gpus", "num_gpu")))
    assert "did you mean 'num_gpus'" in err.value.hint


def test_bad_method_configs(tmp_path):
    with pytest.raises(ConfigError, match="default_method_hyperparameters"):
        load_method_config(write(tmp_path, "llama2_7b:\n  num_steps: 3\n", "GCG_config.yaml"))
    with pytest.raises(ConfigError, match="invalid YAML") as err:
        load_method_config(write(tmp_path, "default_method_hyperparameters:\n  a: 1\n b: 2\n", "X_config.yaml"))
    assert err.value.where.endswith(":3")
    models = load_models_config(write(tmp_path, ENTRY))
    method = load_method_config(write(tmp_path, "default_method_hyperparameters: {}\n<model_name1>:\n"
                                      "  target_model: <model_name1>['model']['nope']\n", "Y_config.yaml"))
    with pytest.raises(ConfigError, match=r"no 'nope' there") as err:
        method.resolve("m1", models)
    assert err.value.where.endswith("Y_config.yaml:3")


def test_bad_pipeline_config(tmp_path, shared_configs):
    root = tmp_path / "configs"
    shutil.copytree(shared_configs, root)
    path = root / "pipeline_configs/run_pipeline.yaml"
    data = yaml.safe_load(path.read_text())
    data["GCG"]["behavior_chunk_sise"] = 3
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match="unknown key 'behavior_chunk_sise'") as err:
        load_configs(root)
    assert "behavior_chunk_size" in err.value.hint


def test_config_check_json_cli(shared_configs):
    result = run_cli("config", "check", "--configs", str(shared_configs), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert len(report["models"]) == 35
    assert set(report["methods"]) >= {"GCG", "EnsembleGCG", "PAIR", "DirectRequest"}
    gcg = report["methods"]["GCG"]["experiments"]
    assert gcg["llama2_7b"]["target_model"]["model_name_or_path"] == "meta-llama/Llama-2-7b-chat-hf"
    assert report["methods"]["HumanJailbreaks"]["experiments"]["random_subset_5"] == {"seed": 1, "random_subset": 5}


def test_config_check_bad_yaml_cli(tmp_path, shared_configs):
    root = tmp_path / "configs"
    shutil.copytree(shared_configs, root)
    (root / "method_configs/GCG_config.yaml").write_text("default_method_hyperparameters:\n  x: [1,\n")
    result = run_cli("config", "check", "--configs", str(root))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "GCG_config.yaml:" in result.stderr and "invalid YAML" in result.stderr
