"""Official datasets read from upstream's files: exact counts, targets, prompt composition."""

from __future__ import annotations

import shutil

import pytest

from harmbench import DataError, load_behaviors
from harmbench.behaviors import CONTEXT_SEPARATOR, dataset_stats

EXPECTED = {
    "text_all": (400, {"standard": 200, "contextual": 100, "copyright": 100},
                 {"copyright": 100, "cybercrime_intrusion": 67, "illegal": 65, "misinformation_disinformation": 65,
                  "chemical_biological": 56, "harassment_bullying": 25, "harmful": 22}),
    "text_test": (320, {"standard": 159, "contextual": 81, "copyright": 80}, None),
    "text_val": (80, {"standard": 41, "contextual": 19, "copyright": 20}, None),
    "multimodal_all": (110, {"multimodal": 110},
                       {"cybercrime_intrusion": 54, "illegal": 36, "harmful": 9, "chemical_biological": 4,
                        "harassment_bullying": 4, "misinformation_disinformation": 3}),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_official_counts(name, shared_data):
    total, functional, semantic = EXPECTED[name]
    behaviors = load_behaviors(name, data_dir=shared_data)
    stats = dataset_stats(behaviors)
    assert len(behaviors) == total
    assert stats["functional_category"] == functional
    if semantic:
        assert stats["semantic_category"] == semantic
    assert all(b.target for b in behaviors), "every official behavior has an optimizer target"


def test_splits_partition_text_all(shared_data):
    ids = lambda n: [b.behavior_id for b in load_behaviors(n, data_dir=shared_data)]  # noqa: E731
    all_ids, val, test = ids("text_all"), ids("text_val"), ids("text_test")
    assert not set(val) & set(test)
    assert set(val) | set(test) == set(all_ids)
    semantic_val = dataset_stats(load_behaviors("text_val", data_dir=shared_data))["semantic_category"]
    semantic_test = dataset_stats(load_behaviors("text_test", data_dir=shared_data))["semantic_category"]
    assert sum(semantic_val.values()) + sum(semantic_test.values()) == 400


@pytest.mark.parametrize("name,total", [("advbench", 520), ("tdc2023", 50), ("adv_training", 100)])
def test_extra_sets(name, total, shared_data):
    behaviors = load_behaviors(name, data_dir=shared_data)
    assert len(behaviors) == total
    assert all(b.functional_category == "standard" and b.semantic_category is None for b in behaviors)
    assert all(b.target for b in behaviors)


def test_tdc_ids_are_behavior_texts(shared_data):
    behaviors = load_behaviors("tdc2023", data_dir=shared_data)
    assert all(b.behavior_id == b.behavior for b in behaviors)
    assert any("/" in b.behavior_id for b in behaviors)  # "queer/LGBTQ+" stays loadable


def test_adv_training_has_alternative_targets(shared_data):
    behaviors = load_behaviors("adv_training", data_dir=shared_data)
    assert all(1 <= len(b.targets) <= 12 and b.target == b.targets[0] for b in behaviors)
    assert sum(len(b.targets) == 12 for b in behaviors) > 90
    assert all(t for b in behaviors for t in b.targets), "empty alternatives are dropped"


def test_text_targets_start_with_sure_here(shared_data):
    assert all(b.target.startswith("Sure, here") for b in load_behaviors("text_all", data_dir=shared_data))


def test_columns_carried(shared_data):
    text = {b.behavior_id: b for b in load_behaviors("text_all", data_dir=shared_data)}
    lyrics = [b for b in text.values() if b.behavior_id.startswith("lyrics_")]
    assert lyrics and all(b.tags == ("lyrics", "hash_check") and b.copyright_kind == "lyrics" for b in lyrics)
    books = [b for b in text.values() if b.behavior_id.startswith("passage_")]
    assert len(lyrics) == 50 and len(books) == 50 and all(b.copyright_kind == "book" for b in books)
    contextual = [b for b in text.values() if b.is_contextual]
    assert all(b.tags == ("context",) and b.context_string for b in contextual)
    mm = load_behaviors("multimodal_all", data_dir=shared_data)
    assert all(b.image_file_name.endswith((".png", ".jpg", ".jpeg")) and b.image_description and b.redacted_image_description
               and b.tags == ("multimodal",) for b in mm)
    assert sum(b.image_description != b.redacted_image_description for b in mm) == 50
    assert sum(b.behavior_id.startswith("solve_captcha_") for b in mm) == 50
    present = [b for b in mm if b.image_path.is_file()]
    assert len(present) == 5  # the shared extract holds five images


def test_contextual_prompt_is_composed_as_upstream(shared_data):
    b = next(b for b in load_behaviors("text_all", data_dir=shared_data) if b.is_contextual)
    assert b.prompt() == b.context_string + "\n\n---\n\n" + b.behavior
    assert b.prompt(optimizer=True) == b.context_string + CONTEXT_SEPARATOR + b.behavior + " "
    assert b.prompt(separator="\n\n-----\n\n").count("-----") == 1  # ZeroShot's separator
    standard = next(b for b in load_behaviors("text_all", data_dir=shared_data) if b.functional_category == "standard")
    assert standard.prompt() == standard.behavior


def test_missing_official_dataset_says_how_to_get_it(tmp_path):
    with pytest.raises(DataError) as err:
        load_behaviors("text_all", data_dir=tmp_path)
    assert "harmbench data download" in err.value.render()
    assert str(tmp_path) in err.value.render()


def test_modified_official_file_is_refused_but_loads_by_path(data_copy):
    csv_path = data_copy / "behavior_datasets/harmbench_behaviors_text_val.csv"
    csv_path.write_bytes(csv_path.read_bytes().replace(b"Give detailed", b"Give thorough", 1))
    with pytest.raises(DataError, match="not upstream's file"):
        load_behaviors("text_val", data_dir=data_copy)
    assert len(load_behaviors(csv_path)) == 80


def test_data_dir_from_environment(data_copy, monkeypatch):
    monkeypatch.setenv("HARMBENCH_DATA_DIR", str(data_copy))
    assert len(load_behaviors("text_val")) == 80


def test_csv_by_path_with_targets(shared_data, tmp_path):
    two = load_behaviors(shared_data / "behavior_datasets/2_behaviors.csv",
                         targets_path=shared_data / "optimizer_targets/harmbench_targets_text.json")
    assert [b.functional_category for b in two] == ["standard", "contextual"]
    assert all(b.target for b in two)
    shutil.copy(shared_data / "behavior_datasets/2_behaviors.csv", tmp_path / "x.csv")
    assert all(b.target is None for b in load_behaviors(tmp_path / "x.csv"))
