"""Export to / import from upstream HarmBench's results layout."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from harmbench.errors import StoreError
from harmbench.store import Completion, Label, RunStore, export_upstream, import_upstream

PNG = b"\x89PNG\r\n\x1a\n fake image bytes"


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def dump(store: RunStore) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(store.path)
    try:
        tables = ["test_cases", "behavior_logs", "method_configs", "completions", "labels"]
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}
    finally:
        conn.close()


def fill(store: RunStore) -> None:
    """A run with text and multimodal methods, logs, a config, two lengths and mixed labels."""
    # Stored in non-alphabetical order, so an export sorted by key would show.
    store.put_test_cases("GCG", "llama2_7b", "zeta_bid", ["Write ü ! !"], logs=[{"final_loss": 0.41}])
    store.put_test_cases("GCG", "llama2_7b", "alpha_bid", ["first", "second"],
                         logs=[{"final_loss": 1.5, "all_losses": [2.0, 1.5]}])
    store.put_method_config("GCG", "llama2_7b", {"num_steps": 500, "target_model": {"token": "***abcd"}})
    store.put_test_cases("DirectRequest", "default", "zeta_bid", ["plain"])
    store.put_test_cases("MultiModalPGD", "llava", "captcha_1", [["140.png", "Solve the CAPTCHA "]])
    images = store.images_dir("MultiModalPGD", "llava")
    images.mkdir(parents=True)
    (images / "140.png").write_bytes(PNG)

    def c(method, exp, bid, idx, gen, n=512, model="llama2_7b"):
        return Completion(method=method, experiment=exp, model=model, behavior_id=bid, idx=idx,
                          generation=gen, max_new_tokens=n)

    def lab(method, exp, bid, idx, judge, value, n=512, judged=None, model="llama2_7b"):
        return Label(method=method, experiment=exp, model=model, behavior_id=bid, idx=idx,
                     judge=judge, label=value, max_new_tokens=n, judged_generation=judged)

    store.put_completions([
        c("GCG", "llama2_7b", "zeta_bid", 0, "Sure, here is a long answer " * 20),
        c("GCG", "llama2_7b", "alpha_bid", 0, "I'm sorry"),
        c("GCG", "llama2_7b", "alpha_bid", 1, "Sure"),
        c("GCG", "llama2_7b", "alpha_bid", 0, "short", n=256),
        c("GCG", "llama2_7b", "alpha_bid", 1, "short 2", n=256),
        c("DirectRequest", "default", "zeta_bid", 0, "no", model="mistral_7b"),
        c("MultiModalPGD", "llava", "captcha_1", 0, "ab12", model="llava_v1_5"),
    ])
    store.put_labels([
        lab("GCG", "llama2_7b", "zeta_bid", 0, "harmbench_cls", 1, judged="Sure, here is a long"),
        lab("GCG", "llama2_7b", "zeta_bid", 0, "advbench", 1, judged="Sure, here is a long"),
        lab("GCG", "llama2_7b", "alpha_bid", 0, "harmbench_cls", 0),
        lab("GCG", "llama2_7b", "alpha_bid", 1, "harmbench_cls", -1),
        lab("GCG", "llama2_7b", "alpha_bid", 0, "advbench", 0),
        lab("GCG", "llama2_7b", "alpha_bid", 0, "harmbench_cls", 1, n=256),
        lab("GCG", "llama2_7b", "alpha_bid", 1, "harmbench_cls", 1, n=256),
        lab("MultiModalPGD", "llava", "captcha_1", 0, "harmbench_cls", 1, model="llava_v1_5"),
    ])


@pytest.fixture
def exported(tmp_path):
    with RunStore(tmp_path / "run1") as store:
        fill(store)
        counts = export_upstream(store, tmp_path / "out1")
    return tmp_path / "out1", counts


def test_export_writes_upstream_layout(exported):
    out, counts = exported
    exp = out / "GCG" / "llama2_7b"
    assert sorted(files(out)) == sorted([
        "DirectRequest/default/completions/mistral_7b.json",
        "DirectRequest/default/test_cases/test_cases.json",
        "GCG/llama2_7b/completions/256_tokens/llama2_7b.json",
        "GCG/llama2_7b/completions/llama2_7b.json",
        "GCG/llama2_7b/results/256_tokens/llama2_7b.json",
        "GCG/llama2_7b/results/llama2_7b.json",
        "GCG/llama2_7b/test_cases/logs.json",
        "GCG/llama2_7b/test_cases/method_config.json",
        "GCG/llama2_7b/test_cases/test_cases.json",
        "MultiModalPGD/llava/completions/llava_v1_5.json",
        "MultiModalPGD/llava/results/llava_v1_5.json",
        "MultiModalPGD/llava/test_cases/images/140.png",
        "MultiModalPGD/llava/test_cases/test_cases.json",
    ])
    text = (exp / "test_cases" / "test_cases.json").read_text()
    test_cases = json.loads(text)
    assert text == json.dumps(test_cases, indent=4)  # upstream's formatting (ensure_ascii, indent 4)
    assert "\\u00fc" in text
    assert list(test_cases) == ["zeta_bid", "alpha_bid"]  # first-stored order, not sorted
    results = json.loads((exp / "results" / "llama2_7b.json").read_text())
    assert results == {
        "zeta_bid": [{"test_case": "Write ü ! !", "generation": "Sure, here is a long",
                      "label": 1, "advbench_label": 1}],
        "alpha_bid": [{"test_case": "first", "generation": "I'm sorry", "label": 0, "advbench_label": 0},
                      {"test_case": "second", "generation": "Sure", "label": -1}],
    }
    completions = json.loads((exp / "completions" / "256_tokens" / "llama2_7b.json").read_text())
    assert completions == {"alpha_bid": [{"test_case": "first", "generation": "short"},
                                         {"test_case": "second", "generation": "short 2"}]}
    mm = json.loads((out / "MultiModalPGD/llava/completions/llava_v1_5.json").read_text())
    assert mm == {"captcha_1": [{"test_case": ["140.png", "Solve the CAPTCHA "], "generation": "ab12"}]}
    assert (out / "MultiModalPGD/llava/test_cases/images/140.png").read_bytes() == PNG
    assert counts["test_cases"] == 5 and counts["results_files"] == 3 and counts["images"] == 1


def test_export_import_export_is_byte_identical(exported, tmp_path):
    out1, _ = exported
    with RunStore(tmp_path / "run2") as store:
        counts = import_upstream(store, out1)
        export_upstream(store, tmp_path / "out2")
        assert store.behavior_logs("GCG", "llama2_7b")["alpha_bid"][0]["all_losses"] == [2.0, 1.5]
        assert (store.images_dir("MultiModalPGD", "llava") / "140.png").read_bytes() == PNG
    assert counts == {"test_cases": 5, "behavior_logs": 2, "method_configs": 1, "completions": 7,
                      "labels": 8, "images": 1, "experiments": 3}
    first, second = files(out1), files(tmp_path / "out2")
    assert list(first) == list(second)
    for name in first:
        assert first[name] == second[name], name


def test_import_keeps_full_generation_and_truncated_judged_text(exported, tmp_path):
    out1, _ = exported
    with RunStore(tmp_path / "run2") as store:
        import_upstream(store, out1)
        (comp,) = store.completions("GCG", "llama2_7b", "llama2_7b", 512, behavior_ids=["zeta_bid"])
        assert comp.generation.startswith("Sure, here is a long answer") and len(comp.generation) > 100
        labels = store.labels("GCG", "llama2_7b", behavior_ids=["zeta_bid"])
        assert {(x.judge, x.label, x.judged_generation) for x in labels} == {
            ("harmbench_cls", 1, "Sure, here is a long"), ("advbench", 1, "Sure, here is a long")}
        stored_judged = [row[9] for row in dump(store)["labels"]]
        assert stored_judged.count(None) == 6  # only the two truncated texts are stored


def test_export_skips_behaviors_with_partial_results(tmp_path):
    with RunStore(tmp_path / "run") as store:
        store.put_test_cases("M", "e", "b1", ["x", "y"])
        store.put_test_cases("M", "e", "b2", ["z"])
        store.put_completions([Completion(method="M", experiment="e", model="m", behavior_id=b,
                                          idx=0, generation="g") for b in ("b1", "b2")])
        counts = export_upstream(store, tmp_path / "out")
    assert counts["skipped_incomplete"] == 1
    assert list(json.loads((tmp_path / "out/M/e/completions/m.json").read_text())) == ["b2"]


def test_import_results_without_completions_creates_them(tmp_path):
    src = tmp_path / "src" / "GCG" / "exp"
    (src / "test_cases").mkdir(parents=True)
    (src / "results" / "128_tokens").mkdir(parents=True)
    (src / "test_cases" / "test_cases.json").write_text(json.dumps({"b": ["t0", "t1"]}))
    (src / "results" / "128_tokens" / "vicuna.json").write_text(json.dumps({"b": [
        {"test_case": "t0", "generation": "g0", "label": 1, "advbench_label": 1},
        {"test_case": "t1", "generation": "g1", "label": 0}]}))
    with RunStore(tmp_path / "run") as store:
        counts = import_upstream(store, tmp_path / "src")
        assert [(c.model, c.max_new_tokens, c.generation) for c in store.completions()] == [
            ("vicuna", 128, "g0"), ("vicuna", 128, "g1")]
        assert [(x.judge, x.idx, x.label) for x in store.labels(judge="harmbench_cls")] == [
            ("harmbench_cls", 0, 1), ("harmbench_cls", 1, 0)]
        assert [x.idx for x in store.labels(judge="advbench")] == [0]
        assert all(row[9] is None for row in dump(store)["labels"])
    assert counts["completions"] == 2 and counts["labels"] == 3


# -- malformed inputs ----------------------------------------------------------------------------


def _good_src(root: Path) -> Path:
    """Two valid experiments; tests break one file in the second."""
    for exp in ("a_exp", "b_exp"):
        d = root / "Meth" / exp
        (d / "test_cases").mkdir(parents=True)
        (d / "completions").mkdir()
        (d / "test_cases" / "test_cases.json").write_text(json.dumps({"b1": ["x", "y"]}, indent=4))
        (d / "completions" / "m.json").write_text(json.dumps({"b1": [
            {"test_case": "x", "generation": "gx"}, {"test_case": "y", "generation": "gy"}]}, indent=4))
    return root


BAD_INPUTS = {
    "bad_json": ("Meth/b_exp/completions/m.json", '{\n  "b1": [\n    {"test_case": "x",}\n  ]\n}',
                 "line 3"),
    "length_mismatch": ("Meth/b_exp/completions/m.json",
                        json.dumps({"b1": [{"test_case": "x", "generation": "gx"}]}),
                        "'b1' has 1 items but 2 test cases"),
    "unknown_behavior": ("Meth/b_exp/completions/m.json",
                         json.dumps({"b9": [{"test_case": "x", "generation": "gx"}]}),
                         "'b9' has no test cases"),
    "top_level_list": ("Meth/b_exp/test_cases/test_cases.json", '["x"]', "found a list"),
    "not_utf8": ("Meth/b_exp/test_cases/test_cases.json", b'{"b1": ["\xff\xfe"]}', "not UTF-8"),
    "bad_test_case": ("Meth/b_exp/test_cases/test_cases.json", json.dumps({"b1": [["a", "b", "c"]]}),
                      "'b1', test case 0"),
    "bad_label": ("Meth/b_exp/results/m.json", json.dumps({"b1": [
        {"test_case": "x", "generation": "g", "label": True},
        {"test_case": "y", "generation": "g", "label": 0}]}), "'label' must be one of"),
    "model_dotdot": ("Meth/b_exp/completions/...json", "{}", "model name '..'"),
    "other_test_case": ("Meth/b_exp/completions/m.json", json.dumps({"b1": [
        {"test_case": "x", "generation": "g"}, {"test_case": "WRONG", "generation": "g"}]}),
        "item 1: its test_case differs"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_malformed_import_names_the_file_and_changes_nothing(tmp_path, case):
    rel, content, expected = BAD_INPUTS[case]
    src = _good_src(tmp_path / "src")
    path = src / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with RunStore(tmp_path / "run") as store:
        store.put_test_cases("Meth", "a_exp", "b1", ["x", "old"])  # pre-existing data
        before = dump(store)
        with pytest.raises(StoreError) as info:
            import_upstream(store, src)
        assert dump(store) == before
    message = str(info.value)
    assert str(path) in message
    assert expected in message


@pytest.mark.parametrize("name", ["bad\nname", "back\\slash"])
def test_unsafe_experiment_folder_is_refused(tmp_path, name):
    src = _good_src(tmp_path / "src")
    shutil.copytree(src / "Meth" / "a_exp", src / "Meth" / name)
    with RunStore(tmp_path / "run") as store:
        with pytest.raises(StoreError, match="experiment name") as info:
            import_upstream(store, src)
        assert store.test_cases() == []
    assert str(src / "Meth" / name) in str(info.value)


def test_dotdot_experiment_cannot_be_exported_or_stored(tmp_path):
    with RunStore(tmp_path / "run") as store:
        with pytest.raises(StoreError, match="'..'"):
            store.put_test_cases("Meth", "..", "b1", ["x"])
        assert store.methods_experiments() == []


def test_failure_while_writing_rolls_back_the_whole_import(tmp_path, monkeypatch):
    src = _good_src(tmp_path / "src")
    with RunStore(tmp_path / "run") as store:
        calls = []
        real = store.put_completions

        def flaky(batch):
            calls.append(1)
            if len(calls) == 2:  # second experiment
                raise RuntimeError("disk full")
            real(batch)

        monkeypatch.setattr(store, "put_completions", flaky)
        with pytest.raises(RuntimeError):
            import_upstream(store, src)
        assert store.test_cases() == [] and store.completions() == []


def test_completions_without_test_cases_file_is_refused(tmp_path):
    src = _good_src(tmp_path / "src")
    (src / "Meth" / "b_exp" / "test_cases" / "test_cases.json").unlink()
    with RunStore(tmp_path / "run") as store:
        with pytest.raises(StoreError, match="no test_cases/test_cases.json"):
            import_upstream(store, src)


def test_empty_source_is_refused(tmp_path):
    (tmp_path / "src").mkdir()
    with RunStore(tmp_path / "run") as store:
        with pytest.raises(StoreError, match="found no <method>/<experiment>"):
            import_upstream(store, tmp_path / "src")
