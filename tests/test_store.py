"""RunStore: schema/migrations, idempotent upserts, atomic batches, readers."""

from __future__ import annotations

import sqlite3

import pytest

from harmbench.errors import StoreError
from harmbench.store import SCHEMA_VERSION, Completion, Label, RunStore, schema

M, E = "GCG", "llama2_7b"


def dump(store: RunStore) -> dict[str, list[tuple]]:
    """Every row of every table (with rowid, so order changes show), read over a separate connection."""
    conn = sqlite3.connect(store.path)
    try:
        tables = ["run_meta", "test_cases", "behavior_logs", "method_configs", "completions", "labels"]
        return {t: conn.execute(f"SELECT rowid, * FROM {t} ORDER BY rowid").fetchall() for t in tables}
    finally:
        conn.close()


def comp(bid: str, idx: int, gen: str, *, model: str = "m", n: int = 512, **kw) -> Completion:
    return Completion(method=M, experiment=E, model=model, behavior_id=bid, idx=idx,
                      generation=gen, max_new_tokens=n, **kw)


def lab(bid: str, idx: int, value: int, *, judge: str = "cls", model: str = "m", n: int = 512,
        judged: str | None = None) -> Label:
    return Label(method=M, experiment=E, model=model, behavior_id=bid, idx=idx, judge=judge,
                 label=value, max_new_tokens=n, judged_generation=judged)


@pytest.fixture
def store(tmp_path):
    with RunStore(tmp_path / "run") as s:
        yield s


# -- opening, schema, migrations ---------------------------------------------------------------


def test_new_store_has_schema_version_and_wal(tmp_path):
    with RunStore(tmp_path / "a" / "b") as s:
        assert s.path == tmp_path / "a" / "b" / "harmbench.sqlite"
        assert s.path.is_file()
    conn = sqlite3.connect(tmp_path / "a" / "b" / "harmbench.sqlite")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    # WAL is a property of the file, so a fresh connection sees it.
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_foreign_keys_are_enforced(store):
    with pytest.raises(StoreError, match="store the test cases first"):
        store.put_completion(comp("nope", 0, "g"))
    assert store.completions() == []


def test_extra_migration_runs_once_and_bumps_version(tmp_path, monkeypatch):
    RunStore(tmp_path).close()  # at the current version
    calls = []

    def v_next(conn):
        calls.append(1)
        conn.execute("ALTER TABLE completions ADD COLUMN extra TEXT")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, v_next])
    with RunStore(tmp_path) as s:
        s.put_test_cases(M, E, "b", ["x"])
    RunStore(tmp_path).close()
    assert calls == [1]
    conn = sqlite3.connect(tmp_path / "harmbench.sqlite")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert "extra" in [r[1] for r in conn.execute("PRAGMA table_info(completions)")]
    conn.close()


def test_failing_migration_is_rolled_back(tmp_path, monkeypatch):
    RunStore(tmp_path).close()

    def v_next(conn):
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, v_next])
    with pytest.raises(RuntimeError):
        RunStore(tmp_path)
    conn = sqlite3.connect(tmp_path / "harmbench.sqlite")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone()[0] == 0
    conn.close()


def test_newer_store_is_refused(tmp_path):
    RunStore(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "harmbench.sqlite")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(StoreError) as info:
        RunStore(tmp_path)
    text = str(info.value)
    assert "upgrade harmbench" in text
    assert f"version {SCHEMA_VERSION + 5}" in text
    assert str(tmp_path / "harmbench.sqlite") in text


def test_non_database_file_is_refused(tmp_path):
    (tmp_path / "harmbench.sqlite").write_bytes(b"this is a text file, not sqlite\n" * 200)
    with pytest.raises(StoreError) as info:
        RunStore(tmp_path)
    assert "not a SQLite database" in str(info.value)
    assert info.value.where == str(tmp_path / "harmbench.sqlite")


# -- metadata, test cases ----------------------------------------------------------------------


def test_meta_roundtrips_json(store):
    assert store.get_meta("missing", default=7) == 7
    store.set_meta("pipeline", {"steps": ["a", "b"], "n": 3})
    store.set_meta("pipeline", {"steps": ["c"]})
    assert store.get_meta("pipeline") == {"steps": ["c"]}


def test_test_cases_text_and_multimodal(store):
    store.put_test_cases(M, E, "b1", ["hello", ["img.png", "describe"]], target_model="llama2_7b",
                         logs=[{"final_loss": 0.5}])
    cases = store.test_cases()
    assert [(c.behavior_id, c.idx, c.text, c.image, c.target_model) for c in cases] == [
        ("b1", 0, "hello", None, "llama2_7b"),
        ("b1", 1, "describe", "img.png", "llama2_7b"),
    ]
    assert [c.as_upstream() for c in cases] == ["hello", ["img.png", "describe"]]
    assert store.behavior_logs(M, E) == {"b1": [{"final_loss": 0.5}]}
    assert store.methods_experiments() == [(M, E)]


def test_put_is_idempotent(store):
    def put_all():
        store.put_test_cases(M, E, "b1", ["x", "y"], logs=[1])
        store.put_method_config(M, E, {"num_steps": 5})
        store.put_completions([comp("b1", 0, "g0", settings={"temperature": 0}), comp("b1", 1, "g1")])
        store.put_labels([lab("b1", 0, 1), lab("b1", 1, 0, judged="g")])

    put_all()
    first = dump(store)
    put_all()
    assert dump(store) == first  # same rows, same rowids, same created_at
    assert len(first["test_cases"]) == 2 and len(first["labels"]) == 2


def test_fewer_test_cases_remove_the_extra_ones_and_their_results(store):
    store.put_test_cases(M, E, "b1", ["a", "b", "c"])
    store.put_completions([comp("b1", i, f"g{i}") for i in range(3)])
    store.put_labels([lab("b1", i, 1) for i in range(3)])
    store.put_test_cases(M, E, "b1", ["a"])
    assert [c.text for c in store.test_cases()] == ["a"]
    assert [(c.idx, c.generation) for c in store.completions()] == [(0, "g0")]
    assert [x.idx for x in store.labels()] == [0]


def test_changed_test_case_drops_its_completion_and_labels(store):
    store.put_test_cases(M, E, "b1", ["a", "b"])
    store.put_completions([comp("b1", 0, "g0"), comp("b1", 1, "g1")])
    store.put_labels([lab("b1", 0, 1), lab("b1", 1, 1)])
    store.put_test_cases(M, E, "b1", ["a", "B"])
    assert [c.idx for c in store.completions()] == [0]
    assert [x.idx for x in store.labels()] == [0]
    # A regenerated completion invalidates its labels too.
    store.put_completion(comp("b1", 0, "different"))
    assert store.labels() == []


def test_reput_keeps_behavior_order(store):
    for bid in ["b3", "b1", "b2"]:
        store.put_test_cases(M, E, bid, ["x"])
    store.put_test_cases(M, E, "b1", ["x", "y", "z"])  # grows
    store.put_test_cases(M, E, "b3", ["changed"])
    assert [(c.behavior_id, c.idx) for c in store.test_cases()] == [
        ("b3", 0), ("b1", 0), ("b1", 1), ("b1", 2), ("b2", 0)]
    assert [c.behavior_id for c in store.test_cases(behavior_ids=["b2", "b3"])] == ["b3", "b2"]


def test_logs_none_clears_logs(store):
    store.put_test_cases(M, E, "b1", ["x"], logs=[{"loss": 1}])
    store.put_test_cases(M, E, "b1", ["x"])
    assert store.behavior_logs(M, E) == {}


@pytest.mark.parametrize("bad", ["", ".", "..", "a/b", "a\\b", "a\nb", "a\x00b", "tab\there"])
def test_unsafe_names_are_refused(store, bad):
    with pytest.raises(StoreError, match="cannot be used as a file or directory name"):
        store.put_test_cases(bad, E, "b1", ["x"])
    with pytest.raises(StoreError):
        store.put_test_cases(M, bad, "b1", ["x"])
    with pytest.raises(StoreError):
        store.put_test_cases(M, E, "b1", [[bad, "text"]])  # image file name
    assert dump(store)["test_cases"] == []


def test_bad_test_case_shape_stores_nothing(store):
    store.put_test_cases(M, E, "b1", ["keep"])
    with pytest.raises(StoreError, match="test case 1"):
        store.put_test_cases(M, E, "b1", ["new", ["a", "b", "c"]])
    assert [c.text for c in store.test_cases()] == ["keep"]


# -- completions, labels, atomicity --------------------------------------------------------


def test_completion_fields_roundtrip(store):
    store.put_test_cases(M, E, "b1", ["x"])
    store.put_completion(comp("b1", 0, "gen", n=256, tokens_in=10, tokens_out=20,
                              finish_reason="length", settings={"temperature": 0.0}, wall_s=1.5))
    (c,) = store.completions(max_new_tokens=256)
    assert (c.generation, c.tokens_in, c.tokens_out, c.finish_reason, c.settings, c.wall_s) == (
        "gen", 10, 20, "length", {"temperature": 0.0}, 1.5)
    assert c.created_at
    assert store.completions(max_new_tokens=512) == []


def test_failing_label_batch_leaves_nothing(store):
    store.put_test_cases(M, E, "b1", ["x", "y"])
    store.put_completions([comp("b1", 0, "g0"), comp("b1", 1, "g1")])
    before = dump(store)
    with pytest.raises(StoreError, match="store the completion first"):
        store.put_labels([lab("b1", 0, 1), lab("b1", 1, 0), lab("b1", 1, 1, model="other")])
    assert dump(store) == before
    assert store.labels() == []


def test_failing_completion_batch_leaves_nothing(store):
    store.put_test_cases(M, E, "b1", ["x"])
    with pytest.raises(StoreError):
        store.put_completions([comp("b1", 0, "g0"), comp("b1", 5, "g5")])
    assert store.completions() == []


def test_judged_generation_stored_only_when_different(store):
    store.put_test_cases(M, E, "b1", ["x", "y", "z"])
    store.put_completions([comp("b1", i, f"full generation {i}") for i in range(3)])
    store.put_labels([
        lab("b1", 0, 1, judged="full generation 0"),   # same text → stored as NULL
        lab("b1", 1, 0, judged="full gen"),            # truncated → kept
        lab("b1", 2, -1),                              # None → same as the completion
    ])
    raw = [row[-2] for row in dump(store)["labels"]]  # judged_generation column
    assert raw == [None, "full gen", None]
    assert [x.judged_generation for x in store.labels()] == ["full generation 0", "full gen",
                                                             "full generation 2"]
    assert [x.label for x in store.labels(judge="cls")] == [1, 0, -1]


def test_missing_completions_and_labels(store):
    store.put_test_cases(M, E, "b1", ["x", "y"])
    store.put_test_cases(M, E, "b2", ["z"])
    store.put_test_cases(M, "other", "b1", ["w"])
    store.put_completion(comp("b1", 1, "g"))
    missing = store.missing_completions(M, E, "m", 512)
    assert [(c.behavior_id, c.idx) for c in missing] == [("b1", 0), ("b2", 0)]
    assert len(store.missing_completions(M, E, "m", 256)) == 3
    assert len(store.missing_completions(M, E, "other_model", 512)) == 3

    store.put_completions([comp("b1", 0, "g"), comp("b2", 0, "g")])
    assert store.missing_completions(M, E, "m", 512) == []
    store.put_label(lab("b2", 0, 1))
    store.put_label(lab("b1", 0, 1, judge="advbench"))
    todo = store.missing_labels(M, E, "m", 512, judge="cls")
    assert [(c.behavior_id, c.idx) for c in todo] == [("b1", 0), ("b1", 1)]
    assert all(isinstance(c, Completion) for c in todo)
    assert len(store.missing_labels(M, E, "m", 512, judge="advbench")) == 2


def test_v1_store_migrates_to_v2_keeping_its_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
    with RunStore(tmp_path) as s:
        s.put_test_cases(M, E, "b", ["x"])
    monkeypatch.undo()
    with RunStore(tmp_path) as s:
        assert [t.text for t in s.test_cases()] == ["x"]
        s.put_test_cases(M, E, "b", ["x"], cost={"wall_s": 1.5, "forward_passes": 3})
        assert s.test_case_costs() == {(M, E, "b"): {"wall_s": 1.5, "forward_passes": 3}}
