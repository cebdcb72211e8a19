"""The command-line skeleton, used as a person would."""

from __future__ import annotations

import json

from conftest import run_cli
from harmbench.cli.main import main

COMMANDS = ["behaviors", "data", "models", "methods", "config", "export", "import", "generate", "evaluate", "judge-eval", "report"]


def test_help_lists_every_command():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout


def test_behaviors_stats_json(capsys, shared_data):
    assert main(["behaviors", "stats", "--dataset", "text_test", "--data-dir", str(shared_data), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats == {"dataset": "text_test", "total": 320,
                     "functional_category": {"standard": 159, "contextual": 81, "copyright": 80},
                     "semantic_category": stats["semantic_category"]}
    assert sum(stats["semantic_category"].values()) == 320


def test_behaviors_list_and_show(capsys):
    assert main(["behaviors", "list", "--functional-category", "contextual", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 4 and all(r["FunctionalCategory"] == "contextual" for r in rows)
    assert main(["behaviors", "show", rows[0]["BehaviorID"], "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["prompt"].endswith("\n\n---\n\n" + shown["Behavior"])


def test_show_unknown_behavior(capsys):
    assert main(["behaviors", "show", "no_such_behavior"]) == 2
    assert "no behavior 'no_such_behavior'" in capsys.readouterr().err


def test_missing_dataset_message():
    result = run_cli("behaviors", "stats", "--dataset", "multimodal_all")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "harmbench data download" in result.stderr


def test_models_and_methods_list(capsys):
    assert main(["models", "list", "--json"]) == 0
    models = json.loads(capsys.readouterr().out)
    assert "toy" in models and models["llama2_7b"]["num_gpus"] == 1
    assert main(["methods", "list", "--json"]) == 0
    methods = json.loads(capsys.readouterr().out)
    assert methods["GCG-Transfer"]["class_name"] == "EnsembleGCG" and methods["GCG-Transfer"]["runs"] == 5
    assert methods["GCG"]["needs"] == ["white-box target"] and methods["GCG"]["cost_per_behavior"]
    assert methods["ZeroShot"]["needs"] == ["attacker LLM"] and methods["DirectRequest"]["needs"] == []
    assert methods["PAIR"]["needs"] == ["attacker LLM", "judge LLM", "target queries"]
    assert methods["TAP-Transfer"]["class_name"] == "TAP" and methods["AutoDAN"]["needs"] == [
        "attacker LLM", "white-box target"]
    for name in ("PAIR", "TAP", "TAP-Transfer", "AutoDAN", "PAP-top5", "FewShot", "GPTFuzz", "ArtPrompt"):
        assert methods[name]["available"] and methods[name]["cost_per_behavior"], name
    assert methods["MultiModalPGD"]["available"] is False and methods["MultiModalPGD"]["needs"] is None  # not built


def test_bad_usage_exits_2_without_traceback():
    result = run_cli("behaviors", "stats", "--nope")
    assert result.returncode == 2 and "Traceback" not in result.stderr and "usage:" in result.stderr


def test_import_of_bad_source_creates_no_store(tmp_path):
    source = tmp_path / "results/GCG/llama2_7b/test_cases"
    source.mkdir(parents=True)
    (source / "test_cases.json").write_text('{"a": ["x"]', encoding="utf-8")
    result = run_cli("import", str(tmp_path / "results"), str(tmp_path / "run"))
    assert result.returncode == 2 and "invalid JSON" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "run").exists()
    result = run_cli("import", str(tmp_path / "missing"), str(tmp_path / "run"))
    assert result.returncode == 2 and not (tmp_path / "run").exists()


def test_export_import_round_trip_cli(tmp_path):
    source = tmp_path / "results/DirectRequest/default"
    (source / "test_cases").mkdir(parents=True)
    (source / "completions").mkdir()
    (source / "test_cases/test_cases.json").write_text('{"b1": ["Say hi"], "b0": ["Say bye"]}', encoding="utf-8")
    (source / "completions/toy.json").write_text(
        '{"b1": [{"test_case": "Say hi", "generation": "Hi"}], "b0": [{"test_case": "Say bye", "generation": "No"}]}',
        encoding="utf-8")
    assert run_cli("import", str(tmp_path / "results"), str(tmp_path / "run")).returncode == 0
    assert run_cli("export", str(tmp_path / "run"), str(tmp_path / "out")).returncode == 0
    exported = json.loads((tmp_path / "out/DirectRequest/default/completions/toy.json").read_text())
    assert list(exported) == ["b1", "b0"] and exported["b1"][0]["generation"] == "Hi"


def test_methods_list_table_shows_needs_and_cost():
    result = run_cli("methods", "list", env={"COLUMNS": "220"})
    assert result.returncode == 0
    pair = next(line for line in result.stdout.splitlines() if line.startswith("│ PAIR "))
    assert "attacker LLM, judge LLM, target queries" in pair and "n_streams x steps attacker calls" in pair
    assert "(not in this version)" in result.stdout  # the multimodal methods
