"""`RunStore`: one run's test cases, completions and judge labels in a single SQLite file.

Every write is an idempotent upsert inside one transaction, so an interrupted job can simply be
re-run: what it already stored is left as it was, and a half-written batch never lands. Upserts
keep a row's rowid, which is how readers (and the upstream export) return behaviors in the order
they were first stored.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from harmbench.errors import StoreError
from harmbench.store import schema

DEFAULT_MAX_NEW_TOKENS = 512  # every paper experiment; upstream's layout treats it as the default


@dataclass(frozen=True, kw_only=True)
class TestCase:
    """One attack input. Multimodal test cases carry an image file name besides the text."""

    __test__ = False  # not a pytest test class, despite the name

    method: str
    experiment: str
    behavior_id: str
    idx: int
    text: str
    image: str | None = None
    target_model: str = ""
    created_at: str | None = None

    def as_upstream(self) -> str | list[str]:
        """The test case as upstream's JSON files hold it: the text, or `[image, text]`."""
        return self.text if self.image is None else [self.image, self.text]


@dataclass(frozen=True, kw_only=True)
class Completion:
    """A target model's output for one test case, at one generation length."""

    method: str
    experiment: str
    model: str
    behavior_id: str
    idx: int
    generation: str
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS
    tokens_in: int | None = None
    tokens_out: int | None = None
    finish_reason: str | None = None
    settings: dict[str, Any] | None = None
    wall_s: float | None = None
    created_at: str | None = None


@dataclass(frozen=True, kw_only=True)
class Label:
    """One judge's verdict on one completion (HarmBench classifier: 1 yes, 0 no, -1 unparsable).

    `judged_generation` is the text the judge saw (upstream truncates to 512 classifier tokens).
    Pass None when that is the completion's generation; readers always fill it in.
    """

    method: str
    experiment: str
    model: str
    behavior_id: str
    idx: int
    judge: str
    label: int
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS
    raw: str | None = None
    judged_generation: str | None = None
    created_at: str | None = None


# --------------------------------------------------------------------------------------------
# SQL. Readers order rows by the first rowid of their behavior's group, then by idx.

_UPSERT_TEST_CASE = """
INSERT INTO test_cases (method, experiment, behavior_id, idx, target_model, text, image, created_at)
VALUES (:method, :experiment, :behavior_id, :idx, :target_model, :text, :image, :created_at)
ON CONFLICT (method, experiment, behavior_id, idx) DO UPDATE SET
    target_model = excluded.target_model, text = excluded.text, image = excluded.image,
    created_at = excluded.created_at
WHERE (target_model, text, image) IS NOT (excluded.target_model, excluded.text, excluded.image)"""

_DELETE_TEST_CASES_FROM = """
DELETE FROM test_cases WHERE method = ? AND experiment = ? AND behavior_id = ? AND idx >= ?"""

_UPSERT_LOGS = """
INSERT INTO behavior_logs (method, experiment, behavior_id, logs_json) VALUES (?, ?, ?, ?)
ON CONFLICT (method, experiment, behavior_id) DO UPDATE SET logs_json = excluded.logs_json
WHERE logs_json IS NOT excluded.logs_json"""

_DELETE_LOGS = "DELETE FROM behavior_logs WHERE method = ? AND experiment = ? AND behavior_id = ?"

_UPSERT_CONFIG = """
INSERT INTO method_configs (method, experiment, config_json) VALUES (?, ?, ?)
ON CONFLICT (method, experiment) DO UPDATE SET config_json = excluded.config_json
WHERE config_json IS NOT excluded.config_json"""

_UPSERT_COMPLETION = """
INSERT INTO completions (method, experiment, model, behavior_id, idx, max_new_tokens, generation,
                         tokens_in, tokens_out, finish_reason, settings_json, wall_s, created_at)
VALUES (:method, :experiment, :model, :behavior_id, :idx, :max_new_tokens, :generation,
        :tokens_in, :tokens_out, :finish_reason, :settings_json, :wall_s, :created_at)
ON CONFLICT (method, experiment, model, behavior_id, idx, max_new_tokens) DO UPDATE SET
    generation = excluded.generation, tokens_in = excluded.tokens_in,
    tokens_out = excluded.tokens_out, finish_reason = excluded.finish_reason,
    settings_json = excluded.settings_json, wall_s = excluded.wall_s, created_at = excluded.created_at
WHERE (generation, tokens_in, tokens_out, finish_reason, settings_json, wall_s)
   IS NOT (excluded.generation, excluded.tokens_in, excluded.tokens_out, excluded.finish_reason,
           excluded.settings_json, excluded.wall_s)"""

# judged_generation is stored as NULL when it equals the completion's generation (saves space).
_UPSERT_LABEL = """
INSERT INTO labels (method, experiment, model, behavior_id, idx, max_new_tokens, judge, label, raw,
                    judged_generation, created_at)
VALUES (:method, :experiment, :model, :behavior_id, :idx, :max_new_tokens, :judge, :label, :raw,
        NULLIF(:judged_generation, (SELECT generation FROM completions
            WHERE method = :method AND experiment = :experiment AND model = :model
              AND behavior_id = :behavior_id AND idx = :idx AND max_new_tokens = :max_new_tokens)),
        :created_at)
ON CONFLICT (method, experiment, model, behavior_id, idx, max_new_tokens, judge) DO UPDATE SET
    label = excluded.label, raw = excluded.raw, judged_generation = excluded.judged_generation,
    created_at = excluded.created_at
WHERE (label, raw, judged_generation)
   IS NOT (excluded.label, excluded.raw, excluded.judged_generation)"""

_SELECT_TEST_CASES = """
SELECT method, experiment, behavior_id, idx, text, image, target_model, created_at FROM (
    SELECT t.*, MIN(t.rowid) OVER (PARTITION BY t.method, t.experiment, t.behavior_id) AS first_row
    FROM test_cases AS t {where})
ORDER BY first_row, idx"""

_SELECT_COMPLETIONS = """
SELECT method, experiment, model, behavior_id, idx, max_new_tokens, generation, tokens_in,
       tokens_out, finish_reason, settings_json, wall_s, created_at FROM (
    SELECT c.*, MIN(c.rowid) OVER (PARTITION BY c.method, c.experiment, c.model, c.max_new_tokens,
                                                c.behavior_id) AS first_row
    FROM completions AS c {where})
ORDER BY first_row, idx"""

_SELECT_LABELS = """
SELECT method, experiment, model, behavior_id, idx, max_new_tokens, judge, label, raw,
       judged_generation, created_at FROM (
    SELECT l.method, l.experiment, l.model, l.behavior_id, l.idx, l.max_new_tokens, l.judge,
           l.label, l.raw, COALESCE(l.judged_generation, c.generation) AS judged_generation,
           l.created_at,
           MIN(l.rowid) OVER (PARTITION BY l.method, l.experiment, l.model, l.max_new_tokens,
                                           l.judge, l.behavior_id) AS first_row
    FROM labels AS l JOIN completions AS c
        USING (method, experiment, model, behavior_id, idx, max_new_tokens) {where})
ORDER BY first_row, idx"""

_NO_COMPLETION = """NOT EXISTS (SELECT 1 FROM completions AS c
    WHERE c.method = t.method AND c.experiment = t.experiment AND c.behavior_id = t.behavior_id
      AND c.idx = t.idx AND c.model = ? AND c.max_new_tokens = ?)"""

_NO_LABEL = """NOT EXISTS (SELECT 1 FROM labels AS l
    WHERE l.method = c.method AND l.experiment = c.experiment AND l.model = c.model
      AND l.behavior_id = c.behavior_id AND l.idx = c.idx
      AND l.max_new_tokens = c.max_new_tokens AND l.judge = ?)"""

_SELECT_LOGS = """SELECT behavior_id, logs_json FROM behavior_logs
WHERE method = ? AND experiment = ? ORDER BY rowid"""

_SELECT_CONFIG = "SELECT config_json FROM method_configs WHERE method = ? AND experiment = ?"

_UPSERT_COST = """
INSERT INTO test_case_costs (method, experiment, behavior_id, cost_json) VALUES (?, ?, ?, ?)
ON CONFLICT (method, experiment, behavior_id) DO UPDATE SET cost_json = excluded.cost_json"""

_SELECT_COSTS = "SELECT method, experiment, behavior_id, cost_json FROM test_case_costs ORDER BY rowid"

_SELECT_METHODS_EXPERIMENTS = """SELECT method, experiment FROM test_cases
GROUP BY method, experiment ORDER BY MIN(rowid)"""


def _where(alias: str, extra: Iterable[str] = (), **filters: Any) -> tuple[str, list[Any]]:
    """A WHERE clause for the non-None `filters` (column = value; behavior_ids = any of a list)."""
    clauses, params = [], []
    for column, value in filters.items():
        if value is None:
            continue
        if column == "behavior_ids":
            # One JSON parameter instead of one placeholder per ID (no variable-count limit).
            clauses.append(f"{alias}.behavior_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps([value] if isinstance(value, str) else list(value)))
        else:
            clauses.append(f"{alias}.{column} = ?")
            params.append(value)
    clauses.extend(extra)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


# --------------------------------------------------------------------------------------------
# Names and values coming from users.

_UNSAFE_NAMES = {"", ".", ".."}


def check_name(kind: str, name: object, *, where: str | None = None) -> str:
    """Return `name` if it can be used as one path component (method, experiment, model, image).

    These names become directories and files of the upstream layout, so anything that could
    escape the destination or confuse a shell is refused.
    """
    if (
        not isinstance(name, str)
        or name in _UNSAFE_NAMES
        or any(ch in name for ch in "/\\")
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in name)
    ):
        raise StoreError(
            f"{kind} name {name!r} cannot be used as a file or directory name",
            where=where,
            hint="use a non-empty name without '/', '\\', control characters, '.' or '..'",
        )
    return name


def split_test_case(case: object) -> tuple[str | None, str]:
    """Upstream test case → (image or None, text). Raises ValueError saying what is wrong."""
    if isinstance(case, str):
        return None, case
    if isinstance(case, (list, tuple)) and len(case) == 2 and all(isinstance(x, str) for x in case):
        check_name("image", case[0])
        return case[0], case[1]
    raise ValueError(
        f"a test case must be a string or an [image file name, text] pair, not {case!r:.80}"
    )


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------------------------


class RunStore:
    """The SQLite file `run_dir/harmbench.sqlite` holding one run. Use as a context manager."""

    FILENAME = "harmbench.sqlite"

    def __init__(self, run_dir: str | Path):
        self.run_dir = Path(run_dir)
        self.path = self.run_dir / self.FILENAME
        try:
            self.run_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the run directory: {exc.strerror}",
                             where=str(self.run_dir)) from exc
        self._conn = schema.open_database(self.path)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def images_dir(self, method: str, experiment: str) -> Path:
        """Where a multimodal method's images for (method, experiment) are kept."""
        return (self.run_dir / "images" / check_name("method", method)
                / check_name("experiment", experiment))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; nested uses join the outermost, so its caller controls atomicity."""
        if self._conn.in_transaction:
            yield
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # -- run metadata ------------------------------------------------------------------------

    def set_meta(self, key: str, value: Any) -> None:
        with self.transaction():
            self._conn.execute(
                "INSERT INTO run_meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, _dumps(value)),
            )

    def get_meta(self, key: str, default: Any = None) -> Any:
        row = self._conn.execute("SELECT value FROM run_meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    # -- test cases, logs, method configs ----------------------------------------------------

    def put_test_cases(
        self,
        method: str,
        experiment: str,
        behavior_id: str,
        cases: list[str | list[str]],
        *,
        target_model: str = "",
        logs: Any = None,
        cost: dict[str, float] | None = None,
        first_idx: int = 0,
    ) -> None:
        """Replace one behavior's test cases, logs (None = no logs) and cost in one transaction.

        Test cases whose text or image changes lose their completions and labels (see schema).
        With `first_idx` > 0 (one run of a method with several runs), the cases go to indices
        `first_idx`, `first_idx + 1`, ... and those below are kept; list logs are appended to the
        first `first_idx` stored ones and the cost is added to the stored cost.
        """
        check_name("method", method)
        check_name("experiment", experiment)
        if not isinstance(behavior_id, str) or not behavior_id:
            raise StoreError(f"behavior ID must be a non-empty string, not {behavior_id!r}")
        rows = []
        for idx, case in enumerate(cases):
            try:
                image, text = split_test_case(case)
            except (ValueError, StoreError) as exc:
                raise StoreError(f"behavior {behavior_id!r}, test case {idx}: {exc}") from exc
            rows.append(dict(method=method, experiment=experiment, behavior_id=behavior_id, idx=first_idx + idx,
                             target_model=target_model, text=text, image=image, created_at=_now()))
        with self.transaction():
            if first_idx:
                logs, cost = self._merged_run(method, experiment, behavior_id, first_idx, logs, cost)
            self._conn.executemany(_UPSERT_TEST_CASE, rows)
            self._conn.execute(_DELETE_TEST_CASES_FROM, (method, experiment, behavior_id, first_idx + len(rows)))
            self.put_logs(method, experiment, behavior_id, logs)
            if cost is not None:
                self._conn.execute(_UPSERT_COST, (method, experiment, behavior_id, _dumps(cost)))

    def _merged_run(self, method, experiment, behavior_id, first_idx, logs, cost):
        old_logs = self.behavior_logs(method, experiment).get(behavior_id)
        if isinstance(old_logs, list) and isinstance(logs, list):
            logs = old_logs[:first_idx] + logs
        old_cost = self.test_case_costs().get((method, experiment, behavior_id))
        if old_cost and cost is not None:
            cost = {k: old_cost.get(k, 0) + cost.get(k, 0) for k in {*old_cost, *cost}}
        return logs, cost

    def put_logs(self, method: str, experiment: str, behavior_id: str, logs: Any) -> None:
        """Replace one behavior's generation logs (any JSON value); None deletes them."""
        check_name("method", method)
        check_name("experiment", experiment)
        with self.transaction():
            if logs is None:
                self._conn.execute(_DELETE_LOGS, (method, experiment, behavior_id))
            else:
                self._conn.execute(_UPSERT_LOGS, (method, experiment, behavior_id, _dumps(logs)))

    def put_method_config(self, method: str, experiment: str, config: dict[str, Any]) -> None:
        check_name("method", method)
        check_name("experiment", experiment)
        with self.transaction():
            self._conn.execute(_UPSERT_CONFIG, (method, experiment, _dumps(config)))

    # -- completions and labels --------------------------------------------------------------

    def put_completion(self, completion: Completion) -> None:
        self.put_completions([completion])

    def put_completions(self, completions: Iterable[Completion]) -> None:
        """Upsert a batch in one transaction; a completion without its test case fails it all."""
        with self.transaction():
            for c in completions:
                check_name("model", c.model)
                settings = None if c.settings is None else _dumps(c.settings)
                params = {**c.__dict__, "settings_json": settings, "created_at": c.created_at or _now()}
                try:
                    self._conn.execute(_UPSERT_COMPLETION, params)
                except sqlite3.IntegrityError as exc:
                    raise StoreError(
                        f"cannot store the completion of {c.method}/{c.experiment} behavior "
                        f"{c.behavior_id!r} test case {c.idx} for {c.model!r}: {exc}",
                        hint="store the test cases first (no test case has that key)",
                    ) from exc

    def put_label(self, label: Label) -> None:
        self.put_labels([label])

    def put_labels(self, labels: Iterable[Label]) -> None:
        """Upsert a batch in one transaction; a label without its completion fails it all."""
        with self.transaction():
            for lab in labels:
                params = {**lab.__dict__, "created_at": lab.created_at or _now()}
                try:
                    self._conn.execute(_UPSERT_LABEL, params)
                except sqlite3.IntegrityError as exc:
                    raise StoreError(
                        f"cannot store the {lab.judge!r} label of {lab.method}/{lab.experiment} "
                        f"behavior {lab.behavior_id!r} test case {lab.idx} for {lab.model!r} "
                        f"({lab.max_new_tokens} tokens): {exc}",
                        hint="store the completion first (no completion has that key)",
                    ) from exc

    # -- readers -----------------------------------------------------------------------------

    def test_cases(self, method: str | None = None, experiment: str | None = None,
                   behavior_ids: Iterable[str] | None = None) -> list[TestCase]:
        where, params = _where("t", method=method, experiment=experiment, behavior_ids=behavior_ids)
        return self._test_cases(where, params)

    def completions(self, method: str | None = None, experiment: str | None = None,
                    model: str | None = None, max_new_tokens: int | None = None,
                    behavior_ids: Iterable[str] | None = None) -> list[Completion]:
        where, params = _where("c", method=method, experiment=experiment, model=model,
                               max_new_tokens=max_new_tokens, behavior_ids=behavior_ids)
        return self._completions(where, params)

    def labels(self, method: str | None = None, experiment: str | None = None,
               model: str | None = None, max_new_tokens: int | None = None,
               judge: str | None = None, behavior_ids: Iterable[str] | None = None) -> list[Label]:
        where, params = _where("l", method=method, experiment=experiment, model=model,
                               max_new_tokens=max_new_tokens, judge=judge, behavior_ids=behavior_ids)
        return [Label(**row) for row in self._rows(_SELECT_LABELS, where, params)]

    def missing_completions(self, method: str, experiment: str, model: str,
                            max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS) -> list[TestCase]:
        """Test cases of (method, experiment) that `model` has not answered at this length."""
        where, params = _where("t", [_NO_COMPLETION], method=method, experiment=experiment)
        return self._test_cases(where, [*params, model, max_new_tokens])

    def missing_labels(self, method: str, experiment: str, model: str,
                       max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS, *,
                       judge: str) -> list[Completion]:
        """Completions that `judge` has not labelled yet."""
        where, params = _where("c", [_NO_LABEL], method=method, experiment=experiment,
                               model=model, max_new_tokens=max_new_tokens)
        return self._completions(where, [*params, judge])

    def behavior_logs(self, method: str, experiment: str) -> dict[str, Any]:
        """BehaviorID → logs, in the order they were first stored."""
        rows = self._conn.execute(_SELECT_LOGS, (method, experiment))
        return {bid: json.loads(text) for bid, text in rows}

    def method_config(self, method: str, experiment: str) -> dict[str, Any] | None:
        row = self._conn.execute(_SELECT_CONFIG, (method, experiment)).fetchone()
        return None if row is None else json.loads(row[0])

    def test_case_costs(self) -> dict[tuple[str, str, str], dict[str, float]]:
        """(method, experiment, behavior_id) -> what producing that behavior's test cases cost."""
        return {(m, e, b): json.loads(c) for m, e, b, c in self._conn.execute(_SELECT_COSTS)}

    def methods_experiments(self) -> list[tuple[str, str]]:
        """(method, experiment) pairs that have test cases, in the order first stored."""
        return [tuple(row) for row in self._conn.execute(_SELECT_METHODS_EXPERIMENTS)]

    def _test_cases(self, where: str, params: list[Any]) -> list[TestCase]:
        return [TestCase(**row) for row in self._rows(_SELECT_TEST_CASES, where, params)]

    def _completions(self, where: str, params: list[Any]) -> list[Completion]:
        out = []
        for row in self._rows(_SELECT_COMPLETIONS, where, params):
            settings = row.pop("settings_json")
            out.append(Completion(**row, settings=None if settings is None else json.loads(settings)))
        return out

    def _rows(self, sql: str, where: str, params: list[Any]) -> Iterator[dict[str, Any]]:
        cursor = self._conn.execute(sql.format(where=where), params)
        columns = [d[0] for d in cursor.description]
        return (dict(zip(columns, row)) for row in cursor)
