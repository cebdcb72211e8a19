"""Export a run store to upstream HarmBench's `results/` layout, and import that layout back.

    <dest>/<method>/<experiment>/test_cases/{test_cases,logs,method_config}.json, images/<name>
    <dest>/<method>/<experiment>/completions/[<N>_tokens/]<model>.json
    <dest>/<method>/<experiment>/results/[<N>_tokens/]<model>.json

The `<N>_tokens/` folder is used when max_new_tokens != 512, as upstream's run_pipeline does.
JSON is written the way upstream writes it (`json.dump(obj, f, indent=4)`) and in the order rows
were first stored, so export → import → export reproduces every file byte for byte.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harmbench.errors import StoreError
from harmbench.store.runstore import (
    DEFAULT_MAX_NEW_TOKENS,
    Completion,
    Label,
    RunStore,
    check_name,
    split_test_case,
)

_TOKENS_DIR = re.compile(r"^([1-9][0-9]*)_tokens$")


# ---------------------------------------------------------------------------------------------
# Export


def export_upstream(store: RunStore, dest_dir: str | Path, *, label_judge: str = "harmbench_cls",
                    advbench_judge: str = "advbench") -> dict[str, int]:
    """Write every (method, experiment) of `store` under `dest_dir`; return counts.

    Upstream aligns completions and results with the test-case list by position, so a behavior
    whose completions (or labels) cover only some of its test cases is left out of that file and
    counted under `skipped_incomplete`; it is written once the run has filled it in.
    """
    dest = Path(dest_dir)
    counts: Counter[str] = Counter(dict.fromkeys(
        ["test_cases", "completions_files", "results_files", "images", "skipped_incomplete"], 0))
    for method, experiment in store.methods_experiments():
        exp_dir = dest / check_name("method", method) / check_name("experiment", experiment)
        cases = {(c.behavior_id, c.idx): c for c in store.test_cases(method, experiment)}
        sizes = Counter(bid for bid, _ in cases)

        tc_dir = exp_dir / "test_cases"
        _write_json(tc_dir / "test_cases.json", _by_behavior(cases.values(), lambda c: c.as_upstream()))
        counts["test_cases"] += len(cases)
        if logs := store.behavior_logs(method, experiment):
            _write_json(tc_dir / "logs.json", logs)
        if (config := store.method_config(method, experiment)) is not None:
            _write_json(tc_dir / "method_config.json", config)
        counts["images"] += _copy_files(store.images_dir(method, experiment), tc_dir / "images")

        def complete(rows: list[Any]) -> dict[str, list[Any]]:
            grouped = _by_behavior(rows, lambda r: r)
            counts["skipped_incomplete"] += sum(len(v) != sizes[b] for b, v in grouped.items())
            return {b: v for b, v in grouped.items() if len(v) == sizes[b]}

        for (model, n), rows in _by_file(store.completions(method, experiment)).items():
            items = {b: [{"test_case": cases[b, c.idx].as_upstream(), "generation": c.generation}
                         for c in v] for b, v in complete(rows).items()}
            if items:
                _write_json(_file(exp_dir / "completions", model, n), items)
                counts["completions_files"] += 1

        adv_labels = store.labels(method, experiment, judge=advbench_judge)
        advbench = {_key(lab): lab.label for lab in adv_labels}
        for (model, n), rows in _by_file(store.labels(method, experiment, judge=label_judge)).items():
            items = {b: [_result_item(cases[b, lab.idx].as_upstream(), lab, advbench.get(_key(lab)))
                         for lab in v] for b, v in complete(rows).items()}
            if items:
                _write_json(_file(exp_dir / "results", model, n), items)
                counts["results_files"] += 1
    return dict(counts)


def _result_item(test_case: Any, lab: Label, advbench_label: int | None) -> dict[str, Any]:
    item = {"test_case": test_case, "generation": lab.judged_generation, "label": lab.label}
    if advbench_label is not None:
        item["advbench_label"] = advbench_label
    return item


def _key(row: Completion | Label) -> tuple[str, int, str, int]:
    return (row.model, row.max_new_tokens, row.behavior_id, row.idx)


def _by_behavior(rows: Iterable[Any], item: Callable[[Any], Any]) -> dict[str, list[Any]]:
    """BehaviorID → items, keeping the readers' order (behavior first stored, then idx)."""
    out: dict[str, list[Any]] = {}
    for row in rows:
        out.setdefault(row.behavior_id, []).append(item(row))
    return out


def _by_file(rows: Iterable[Completion | Label]) -> dict[tuple[str, int], list[Any]]:
    out: dict[tuple[str, int], list[Any]] = {}
    for row in rows:
        out.setdefault((row.model, row.max_new_tokens), []).append(row)
    return out


def _file(kind_dir: Path, model: str, max_new_tokens: int) -> Path:
    folder = kind_dir
    if max_new_tokens != DEFAULT_MAX_NEW_TOKENS:
        folder = kind_dir / f"{max_new_tokens}_tokens"
    return folder / f"{check_name('model', model)}.json"


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write via a temp file in the same folder + os.replace, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_json(path: Path, obj: Any) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "x", encoding="utf-8") as f:
            json.dump(obj, f, indent=4)

    _atomic_write(path, write)


def _copy_files(src_dir: Path, dest_dir: Path) -> int:
    """Copy the regular files of `src_dir` (if it exists) into `dest_dir`; return how many.

    Hidden files are skipped: they are not images upstream writes (e.g. our own temp files).
    """
    if not src_dir.is_dir():
        return 0
    copied = 0
    for src in sorted(src_dir.iterdir()):
        if src.is_file() and not src.name.startswith("."):
            _atomic_write(dest_dir / check_name("image", src.name, where=str(src)),
                          lambda tmp, src=src: shutil.copyfile(src, tmp))
            copied += 1
    return copied


# ---------------------------------------------------------------------------------------------
# Import


@dataclass
class UpstreamExperiment:
    """One validated `<method>/<experiment>` folder, held in memory until the import commits."""

    method: str
    experiment: str
    dir: Path
    test_cases: dict[str, list[Any]]
    logs: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] | None = None
    completions: dict[tuple[str, int], dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    results: dict[tuple[str, int], dict[str, list[dict[str, Any]]]] = field(default_factory=dict)


def read_upstream(src_dir: str | Path) -> list[UpstreamExperiment]:
    """Read and check every `<method>/<experiment>` under `src_dir`, writing nothing.

    A bad file raises StoreError naming it, so callers can validate before touching a store.
    """
    src = Path(src_dir)
    if not src.is_dir():
        raise StoreError("no such directory", where=str(src))
    experiments = [_load_experiment(d, m, e) for d, m, e in _experiment_dirs(src)]
    if not experiments:
        raise StoreError(
            "found no <method>/<experiment>/test_cases/test_cases.json here", where=str(src),
            hint="pass the folder that holds the method folders (upstream's --base_save_dir)",
        )
    return experiments


def import_upstream(store: RunStore, source: str | Path | list[UpstreamExperiment], *, label_judge: str = "harmbench_cls",
                    advbench_judge: str = "advbench") -> dict[str, int]:
    """Import a folder (or what `read_upstream` read from one) in one transaction; return counts.

    All files are read and checked first, so a bad file raises StoreError (naming it) before
    anything is written. Existing rows with the same keys are replaced; others are kept.
    """
    experiments = source if isinstance(source, list) else read_upstream(source)
    counts: Counter[str] = Counter(dict.fromkeys(
        ["test_cases", "behavior_logs", "method_configs", "completions", "labels", "images"], 0))
    with store.transaction():
        for exp in experiments:
            _store_experiment(store, exp, counts, label_judge, advbench_judge)
            images = exp.dir / "test_cases" / "images"
            counts["images"] += _copy_files(images, store.images_dir(exp.method, exp.experiment))
    counts["experiments"] = len(experiments)
    return dict(counts)


def _experiment_dirs(src: Path) -> list[tuple[Path, str, str]]:
    found = []
    for method_dir in sorted(p for p in src.iterdir() if p.is_dir()):
        for exp_dir in sorted(p for p in method_dir.iterdir() if p.is_dir()):
            has_cases = (exp_dir / "test_cases" / "test_cases.json").is_file()
            if not has_cases and not any((exp_dir / k).is_dir() for k in ("completions", "results")):
                continue  # not an experiment folder
            method = check_name("method", method_dir.name, where=str(method_dir))
            experiment = check_name("experiment", exp_dir.name, where=str(exp_dir))
            if not has_cases:
                raise StoreError("has completions or results but no test_cases/test_cases.json",
                                 where=str(exp_dir), hint="copy the experiment's test_cases folder too")
            found.append((exp_dir, method, experiment))
    return found


def _load_experiment(exp_dir: Path, method: str, experiment: str) -> UpstreamExperiment:
    tc_path = exp_dir / "test_cases" / "test_cases.json"
    test_cases = _read_object(tc_path)
    for bid, cases in test_cases.items():
        if not isinstance(cases, list):
            raise _bad(tc_path, f"behavior {bid!r}: expected a list of test cases, found {_kind(cases)}")
        for i, case in enumerate(cases):
            try:
                split_test_case(case)
            except (ValueError, StoreError) as exc:
                raise _bad(tc_path, f"behavior {bid!r}, test case {i}: {exc}") from exc
    exp = UpstreamExperiment(method, experiment, exp_dir, test_cases)

    if (logs_path := exp_dir / "test_cases" / "logs.json").is_file():
        exp.logs = _read_object(logs_path)
        _known_behaviors(logs_path, exp.logs, test_cases)
    if (config_path := exp_dir / "test_cases" / "method_config.json").is_file():
        exp.config = _read_object(config_path)

    for kind, target in (("completions", exp.completions), ("results", exp.results)):
        for model, n, path in _model_files(exp_dir / kind):
            data = _read_object(path)
            _check_items(path, data, test_cases, results=kind == "results")
            target[model, n] = data
    return exp


def _model_files(kind_dir: Path) -> list[tuple[str, int, Path]]:
    """(model, max_new_tokens, path) for `<kind>/<model>.json` and `<kind>/<N>_tokens/<model>.json`."""
    if not kind_dir.is_dir():
        return []
    files: list[tuple[str, int, Path]] = []
    for entry in sorted(kind_dir.iterdir()):
        if entry.is_dir():
            if not (m := _TOKENS_DIR.match(entry.name)):
                raise StoreError("unexpected folder; only <N>_tokens folders belong here",
                                 where=str(entry))
            files += [(f, int(m.group(1))) for f in sorted(entry.glob("*.json")) if f.is_file()]
        elif entry.suffix == ".json" and entry.is_file():
            files.append((entry, DEFAULT_MAX_NEW_TOKENS))
    out, seen = [], {}
    for path, n in files:
        model = check_name("model", path.name[: -len(".json")], where=str(path))
        if (model, n) in seen:
            raise StoreError(f"holds the same model and length as {seen[model, n]}", where=str(path))
        seen[model, n] = path
        out.append((model, n, path))
    return out


def _check_items(path: Path, data: dict[str, Any], test_cases: dict[str, list[Any]], *,
                 results: bool) -> None:
    """Completions/results must list, per known behavior, one item per test case, in order."""
    _known_behaviors(path, data, test_cases)
    for bid, items in data.items():
        if not isinstance(items, list):
            raise _bad(path, f"behavior {bid!r}: expected a list, found {_kind(items)}")
        if len(items) != len(test_cases[bid]):
            raise _bad(path, f"behavior {bid!r} has {len(items)} items but {len(test_cases[bid])} "
                             "test cases in test_cases.json; upstream aligns them by position")
        for i, item in enumerate(items):
            where = f"behavior {bid!r}, item {i}"
            if not isinstance(item, dict) or not isinstance(item.get("generation"), str):
                raise _bad(path, f"{where}: expected an object with a string 'generation'")
            if item.get("test_case") != test_cases[bid][i]:
                raise _bad(path, f"{where}: its test_case differs from test case {i} in test_cases.json")
            if results:
                _check_label(path, where, item, "label", (-1, 0, 1), required=True)
                _check_label(path, where, item, "advbench_label", (0, 1), required=False)


def _check_label(path: Path, where: str, item: dict[str, Any], key: str, allowed: tuple[int, ...],
                 *, required: bool) -> None:
    if key not in item and not required:
        return
    value = item.get(key)
    if type(value) is not int or value not in allowed:  # bool is an int subclass: refuse it too
        raise _bad(path, f"{where}: {key!r} must be one of {list(allowed)}, found {json.dumps(value)}")


def _known_behaviors(path: Path, data: dict[str, Any], test_cases: dict[str, list[Any]]) -> None:
    for bid in data:
        if bid not in test_cases:
            raise _bad(path, f"behavior {bid!r} has no test cases in test_cases.json")


def _store_experiment(store: RunStore, exp: UpstreamExperiment, counts: Counter[str], label_judge: str,
                      advbench_judge: str) -> None:
    m, e = exp.method, exp.experiment
    for bid, cases in exp.test_cases.items():
        store.put_test_cases(m, e, bid, cases)  # clears old logs; logs.json below sets its own order
        counts["test_cases"] += len(cases)
    for bid, logs in exp.logs.items():
        store.put_logs(m, e, bid, logs)
    counts["behavior_logs"] += len(exp.logs)
    if exp.config is not None:
        store.put_method_config(m, e, exp.config)
        counts["method_configs"] += 1

    def completion(model: str, n: int, bid: str, idx: int, generation: str) -> Completion:
        return Completion(method=m, experiment=e, model=model, behavior_id=bid, idx=idx,
                          max_new_tokens=n, generation=generation)

    for (model, n), data in exp.completions.items():
        batch = [completion(model, n, bid, i, it["generation"])
                 for bid, items in data.items() for i, it in enumerate(items)]
        store.put_completions(batch)
        counts["completions"] += len(batch)

    for (model, n), data in exp.results.items():
        # A results file without its completions file still says what the model answered (as the
        # judge saw it, possibly truncated): keep that as the completion rather than lose it.
        have = {(c.behavior_id, c.idx) for c in store.completions(m, e, model, n, behavior_ids=data)}
        batch = [completion(model, n, bid, i, it["generation"])
                 for bid, items in data.items() for i, it in enumerate(items) if (bid, i) not in have]
        store.put_completions(batch)
        counts["completions"] += len(batch)

        def labels(judge: str, key: str) -> list[Label]:
            return [Label(method=m, experiment=e, model=model, behavior_id=bid, idx=i,
                          max_new_tokens=n, judge=judge, label=it[key],
                          judged_generation=it["generation"])
                    for bid, items in data.items() for i, it in enumerate(items) if key in it]

        batch_labels = labels(label_judge, "label") + labels(advbench_judge, "advbench_label")
        store.put_labels(batch_labels)
        counts["labels"] += len(batch_labels)


# ---------------------------------------------------------------------------------------------
# Reading JSON with errors that say where


def _read_object(path: Path) -> dict[str, Any]:
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise StoreError(f"cannot read: {exc.strerror}", where=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise _bad(path, f"not UTF-8 text (byte {exc.start} is {exc.object[exc.start]:#04x})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _bad(path, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise _bad(path, f"expected a JSON object at the top level, found {_kind(data)}")
    return data


def _bad(path: Path, message: str) -> StoreError:
    return StoreError(message, where=str(path), hint="fix or remove this file; nothing was imported")


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", type(None): "null",
            bool: "a boolean"}.get(type(value), "a number")
