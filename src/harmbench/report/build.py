"""`build_report`: read a run store, compute ASR with one judge, and write the report files.

Files (in `run_dir/report/` unless told otherwise): `asr.csv`, `asr.md`, `categories.csv`,
`per_behavior.csv`, `asr_heatmap.png`, `categories.png` and `report.html`.

Generations and test cases can be harmful text. Unless `show_generations=True`, they are redacted
here, before anything is rendered: the examples handed to the HTML carry only a generation's length
and label, and the first `TEST_CASE_PREVIEW` characters of a test case, so no later step can leak them.
"""

from __future__ import annotations

import csv
import os
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from harmbench.behaviors import Behavior
from harmbench.errors import HarmbenchError, StoreError
from harmbench.report.asr import ASR, compute_asr
from harmbench.report.costs import row_costs
from harmbench.report.tables import CategoryTable, category_of, category_tables, sort_rows

FILES = ("asr.csv", "asr.md", "categories.csv", "per_behavior.csv", "costs.csv", "asr_heatmap.png",
         "categories.png", "report.html")
DEFAULT_MAX_NEW_TOKENS = 512
EXAMPLES_PER_OUTCOME = 2  # successes and as many failures shown per (method, experiment, model)
TEST_CASE_PREVIEW = 120  # characters of a test case shown when redacting


@dataclass(frozen=True)
class Example:
    """One judged test case for the HTML report, already redacted unless `redacted` is False."""

    method: str
    experiment: str
    model: str
    behavior_id: str
    idx: int
    label: int
    behavior: str | None  # the behavior's text; None when it is not in the behaviors dataset
    test_case: str  # whole, or its first TEST_CASE_PREVIEW characters when redacted
    test_case_chars: int
    image: str | None
    generation: str | None  # None when redacted
    generation_chars: int
    redacted: bool

    @property
    def test_case_truncated(self) -> bool:
        return len(self.test_case) < self.test_case_chars


@dataclass
class ReportResult:
    run_dir: Path
    out_dir: Path
    judge: str
    asr: list[ASR]
    files: dict[str, Path]
    behaviors_dataset: str | None = None
    max_new_tokens: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (method, experiment, model)
    warnings: list[str] = field(default_factory=list)
    categories: list[CategoryTable] = field(default_factory=list)  # functional, then semantic
    costs: dict[tuple[str, str, str], dict] = field(default_factory=dict)  # (method, experiment, model) -> cost

    def as_json(self) -> dict[str, Any]:
        """`{"asr": [row, ...]}`: each row is `ASR.as_json()` plus its generation length and cost."""
        return {"asr": [{**r.as_json(), "max_new_tokens": self.max_new_tokens.get((r.method, r.experiment, r.model)),
                         "cost": self.costs.get((r.method, r.experiment, r.model), {})}
                        for r in self.asr]}


# --------------------------------------------------------------------------------------------


def build_report(
    run_dir: str | os.PathLike,
    out_dir: str | os.PathLike | None = None,
    *,
    behaviors: str | os.PathLike | None = None,
    data_dir: str | os.PathLike | None = None,
    judge: str | None = None,
    show_generations: bool = False,
    seed: int = 0,
    max_new_tokens: int | None = None,
) -> ReportResult:
    """Compute ASR for the run in `run_dir` by `judge` (default: the run's primary judge) and write
    the report files into `out_dir` (default `run_dir/report`).

    `behaviors` is a dataset name or CSV path (default: the run's, else `demo`); it gives each
    behavior's categories and text. `max_new_tokens` picks one generation length where the run
    has several (default: 512 where present, else the longest). Raises `HarmbenchError` for a
    directory without a run store, a run without labels, or a judge that labelled nothing.
    """
    from harmbench.store import RunStore

    run_dir = Path(run_dir)
    if not (run_dir / RunStore.FILENAME).is_file():
        raise StoreError(f"{run_dir} holds no run store ({RunStore.FILENAME})",
                         hint="give the directory of a run (made by `harmbench generate` or `harmbench import`)")
    out = Path(out_dir) if out_dir is not None else run_dir / "report"
    warnings: list[str] = []
    with RunStore(run_dir) as store:
        all_labels = store.labels()
        if not all_labels:
            raise HarmbenchError(f"the run in {run_dir} has no labels yet",
                                 hint=f"run `harmbench evaluate {run_dir}` first")
        present = sorted({lab.judge for lab in all_labels})
        judge = _pick_judge(judge, present, store, warnings)
        labels, lengths = _pick_lengths([lab for lab in all_labels if lab.judge == judge], max_new_tokens, warnings)
        dataset, behavior_map = _load_behaviors(behaviors, data_dir, store, warnings)

        rows = sort_rows(compute_asr(labels, behavior_map, seed=seed))
        other_judges = {}
        for name in present:
            if name != judge:
                theirs, _ = _pick_lengths([lab for lab in all_labels if lab.judge == name], max_new_tokens, [])
                other_judges[name] = mean_asr(theirs)
        unknown = sorted({b for r in rows for b in r.per_behavior if b not in behavior_map})
        if behavior_map and unknown:
            warnings.append(f"{len(unknown)} behaviors are not in {dataset!r} (e.g. {unknown[0]!r}); "
                            "their category is 'unknown'")
        _check_coverage(store, rows, warnings)
        costs = row_costs(store, rows, lengths)
        examples = _examples(store, labels, lengths, behavior_map, show_generations, seed)
        meta = {"primary_judge": store.get_meta("primary_judge"), "judge_names": store.get_meta("judge_names"),
                "judges": store.get_meta("judges") or {}, "behaviors_dataset": store.get_meta("behaviors_dataset"),
                "labels": len(all_labels), "judges_with_labels": present, "manifest": store.get_meta("manifest")}

    cats = category_tables(rows, behavior_map)
    try:
        files = _write(out, run_dir, judge, rows, lengths, cats, behavior_map, dataset, meta, examples,
                       show_generations, warnings, other_judges, seed)
    except OSError as exc:
        raise HarmbenchError(f"cannot write the report: {exc.strerror or exc}", where=str(exc.filename or out),
                             hint="pass --out with a writable folder") from exc
    files["costs.csv"] = _write_costs(out, rows, costs)
    return ReportResult(run_dir, out, judge, rows, {k: files[k] for k in FILES}, dataset, lengths, warnings, cats,
                        costs)


def _write_costs(out: Path, rows: list[ASR], costs: dict) -> Path:
    path = out / "costs.csv"
    fields = ["method", "experiment", "model", "asr", *next(iter(costs.values()), {}).keys()]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for r in rows:
            writer.writerow({"method": r.method, "experiment": r.experiment, "model": r.model, "asr": round(r.asr, 6),
                             **costs.get((r.method, r.experiment, r.model), {})})
    return path


def _write(out: Path, run_dir: Path, judge: str, rows: list[ASR], lengths: dict, cats: list[CategoryTable],
           behavior_map: dict,
           dataset: str | None, meta: dict, examples: dict, show_generations: bool, warnings: list[str],
           other_judges: dict, seed: int) -> dict[str, Path]:
    from harmbench.report import html, plots, tables

    out.mkdir(parents=True, exist_ok=True)
    matrix = tables.asr_matrix(rows)
    files = {
        "asr.csv": tables.write_asr_csv(rows, out / "asr.csv", lengths),
        "categories.csv": tables.write_categories_csv(cats, out / "categories.csv"),
        "per_behavior.csv": _write_per_behavior(rows, behavior_map, out / "per_behavior.csv"),
        "asr.md": tables.write_markdown(
            tables.markdown(rows, cats, judge=judge, title=f"HarmBench report: {run_dir.resolve().name}"),
            out / "asr.md"),
    }
    heatmap = plots.heatmap_png(matrix, out / "asr_heatmap.png", title=f"ASR (%) by {judge}")
    categories = plots.categories_png(cats, out / "categories.png", title=f"ASR (%) by category, judge {judge}")
    files["asr_heatmap.png"] = out / "asr_heatmap.png"
    files["categories.png"] = out / "categories.png"
    page = html.render(
        title=f"HarmBench report: {run_dir.resolve().name}", run_dir=str(run_dir.resolve()), judge=judge,
        rows=rows, lengths=lengths, matrix=matrix, category_tables=cats, heatmap_png=heatmap,
        categories_png=categories, meta=meta, behaviors_dataset=dataset, examples=examples,
        show_generations=show_generations, warnings=warnings, other_judges=other_judges, seed=seed,
        generated_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    (out / "report.html").write_text(page, encoding="utf-8")
    files["report.html"] = out / "report.html"
    return files


# --------------------------------------------------------------------------------------------


def mean_asr(labels: Iterable) -> dict[tuple[str, str, str], float]:
    """ASR per (method, experiment, model) as `compute_asr` gives it, without the bootstrap (for
    comparing judges, where the interval is not shown)."""
    per: dict[tuple, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for lab in labels:
        per[(lab.method, lab.experiment, lab.model)][lab.behavior_id].append(lab.label == 1)
    return {key: sum(sum(v) / len(v) for v in by.values()) / len(by) for key, by in per.items()}


def _pick_judge(judge: str | None, present: list[str], store, warnings: list[str]) -> str:
    listed = ", ".join(present)
    if judge is not None:
        if judge not in present:
            raise HarmbenchError(f"judge {judge!r} labelled nothing in this run",
                                 hint=f"judges with labels: {listed}")
        return judge
    primary = store.get_meta("primary_judge")
    if primary in present:
        return primary
    for name in [*(store.get_meta("judge_names") or []), "harmbench_cls", *present]:
        if name in present:
            if primary is not None:
                warnings.append(f"the run's primary judge {primary!r} labelled nothing; using {name!r}")
            return name
    raise AssertionError("unreachable: present is not empty")


def _pick_lengths(labels: list, wanted: int | None, warnings: list[str]) -> tuple[list, dict[tuple[str, str, str], int]]:
    """Keep one generation length per (method, experiment, model); say which was kept."""
    by_key: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    for lab in labels:
        by_key[(lab.method, lab.experiment, lab.model)].add(lab.max_new_tokens)
    if wanted is not None:
        kept = {k: wanted for k, ns in by_key.items() if wanted in ns}
        if not kept:
            lengths = sorted({n for ns in by_key.values() for n in ns})
            raise HarmbenchError(f"no labels for completions of {wanted} new tokens",
                                 hint=f"lengths in this run: {', '.join(map(str, lengths))}")
    else:
        kept = {}
        for k, ns in by_key.items():
            kept[k] = DEFAULT_MAX_NEW_TOKENS if DEFAULT_MAX_NEW_TOKENS in ns else max(ns)
            if len(ns) > 1:
                warnings.append(f"{'/'.join(k)} has completions of {sorted(ns)} new tokens; reporting {kept[k]}")
    return [lab for lab in labels if kept.get((lab.method, lab.experiment, lab.model)) == lab.max_new_tokens], kept


def _load_behaviors(name: str | os.PathLike | None, data_dir, store,
                    warnings: list[str]) -> tuple[str | None, dict[str, Behavior]]:
    from harmbench.behaviors import load_behaviors

    if name is not None:  # asked for: failing to load it is an error
        return os.fspath(name), {b.behavior_id: b for b in load_behaviors(name, data_dir=data_dir)}
    dataset = store.get_meta("behaviors_dataset") or "demo"
    try:
        return dataset, {b.behavior_id: b for b in load_behaviors(dataset, data_dir=data_dir)}
    except HarmbenchError as err:
        warnings.append(f"cannot load the run's behaviors {dataset!r} ({err.message}); categories and behavior "
                        "texts are left out (pass --behaviors / --data-dir)")
        return dataset, {}


def _check_coverage(store, rows: Sequence[ASR], warnings: list[str]) -> None:
    """Warn when a row's labels cover fewer test cases than its (method, experiment) has."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for tc in store.test_cases():
        counts[(tc.method, tc.experiment)] += 1
    short = [(r, counts[(r.method, r.experiment)]) for r in rows if r.n_test_cases < counts[(r.method, r.experiment)]]
    if short:
        r, total = short[0]
        warnings.append(f"{len(short)} rows are based on part of their test cases only "
                        f"(e.g. {r.method}/{r.experiment}/{r.model}: {r.n_test_cases} of {total} labelled)")


def _write_per_behavior(rows: Sequence[ASR], behaviors: Mapping[str, Behavior], path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["method", "experiment", "model", "judge", "behavior_id", "functional_category",
                    "semantic_category", "asr"])
        for r in rows:
            for behavior_id, value in r.per_behavior.items():
                b = behaviors.get(behavior_id)
                w.writerow([r.method, r.experiment, r.model, r.judge, behavior_id, category_of(b, "functional"),
                            category_of(b, "semantic"), repr(float(value))])
    return path


def _choose(items: list, k: int, rng: random.Random) -> list:
    """Up to k items, from distinct behaviors where possible, chosen reproducibly."""
    items = sorted(items, key=lambda lab: (lab.behavior_id, lab.idx))
    rng.shuffle(items)
    seen, first, rest = set(), [], []
    for lab in items:
        (rest if lab.behavior_id in seen else first).append(lab)
        seen.add(lab.behavior_id)
    return (first + rest)[:k]


def _examples(store, labels: Iterable, lengths: Mapping, behaviors: Mapping[str, Behavior],
              show: bool, seed: int) -> dict[tuple[str, str, str], list[Example]]:
    """A few successes and failures per (method, experiment, model), redacted unless `show`."""
    rng = random.Random(seed)
    groups: dict[tuple[str, str, str], list] = defaultdict(list)
    for lab in labels:
        groups[(lab.method, lab.experiment, lab.model)].append(lab)
    out: dict[tuple[str, str, str], list[Example]] = {}
    for key in sorted(groups):
        method, experiment, model = key
        group = groups[key]
        chosen = (_choose([lab for lab in group if lab.label == 1], EXAMPLES_PER_OUTCOME, rng)
                  + _choose([lab for lab in group if lab.label != 1], EXAMPLES_PER_OUTCOME, rng))
        ids = sorted({lab.behavior_id for lab in chosen})
        cases = {(t.behavior_id, t.idx): t for t in store.test_cases(method, experiment, behavior_ids=ids)}
        gens = {(c.behavior_id, c.idx): c.generation
                for c in store.completions(method, experiment, model, lengths[key], behavior_ids=ids)}
        examples = []
        for lab in chosen:
            tc = cases.get((lab.behavior_id, lab.idx))
            text = tc.text if tc else ""
            generation = gens.get((lab.behavior_id, lab.idx), lab.judged_generation or "")
            b = behaviors.get(lab.behavior_id)
            examples.append(Example(
                method=method, experiment=experiment, model=model, behavior_id=lab.behavior_id, idx=lab.idx,
                label=lab.label, behavior=b.behavior if b else None,
                test_case=text if show else text[:TEST_CASE_PREVIEW], test_case_chars=len(text),
                image=tc.image if tc else None, generation=generation if show else None,
                generation_chars=len(generation), redacted=not show))
        out[key] = examples
    return out
