"""ASR rows as tables: rich tables for the terminal, CSV and Markdown files, the method × model
matrix and the breakdowns by functional and semantic category.

Numbers in CSV files are fractions in [0, 1] at full precision; everything meant for people
(terminal, Markdown, HTML) shows percentages with one decimal.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from harmbench.behaviors import Behavior
from harmbench.report.asr import ASR

CATEGORY_KINDS = {"functional": "functional_category", "semantic": "semantic_category"}

ASR_COLUMNS = ["method", "experiment", "model", "judge", "max_new_tokens", "asr", "ci95_low", "ci95_high",
               "n_behaviors", "n_test_cases", "n_invalid"]
CATEGORY_COLUMNS = ["method", "experiment", "model", "judge", "kind", "category", "asr", "n_behaviors"]


# --------------------------------------------------------------------------------------------
# Formatting.

def pct(value: float | None) -> str:
    """0.4167 → '41.7'; missing or NaN → '–'."""
    return "–" if value is None or math.isnan(value) else f"{100 * value:.1f}"


def ci_text(ci: tuple[float, float]) -> str:
    return f"{pct(ci[0])}–{pct(ci[1])}"


def sort_rows(rows: Iterable[ASR]) -> list[ASR]:
    return sorted(rows, key=lambda r: (r.method.lower(), r.experiment.lower(), r.model.lower(), r.judge))


# --------------------------------------------------------------------------------------------
# Categories.

def category_of(behavior: Behavior | None, kind: str) -> str:
    """A behavior's category of `kind` ('functional' or 'semantic'), as `compute_asr` buckets it:
    'unknown' for a behavior missing from the dataset, 'unspecified' for an empty category."""
    if behavior is None:
        return "unknown"
    return getattr(behavior, CATEGORY_KINDS[kind]) or "unspecified"


@dataclass(frozen=True)
class CategoryCell:
    asr: float
    n_behaviors: int


def category_breakdown(row: ASR, behaviors: Mapping[str, Behavior], kind: str) -> dict[str, CategoryCell]:
    """Category → (mean of per-behavior ASR, number of behaviors) for one ASR row."""
    buckets: dict[str, list[float]] = defaultdict(list)
    for behavior_id, value in row.per_behavior.items():
        buckets[category_of(behaviors.get(behavior_id), kind)].append(value)
    return {c: CategoryCell(sum(v) / len(v), len(v)) for c, v in sorted(buckets.items())}


@dataclass(frozen=True)
class CategoryTable:
    """One kind of breakdown, wide: a column per category, a line per ASR row."""

    kind: str
    categories: list[str]
    lines: list[tuple[ASR, dict[str, CategoryCell]]]


def category_tables(rows: Sequence[ASR], behaviors: Mapping[str, Behavior]) -> list[CategoryTable]:
    tables = []
    for kind in CATEGORY_KINDS:
        lines = [(r, category_breakdown(r, behaviors, kind)) for r in rows]
        categories = sorted({c for _, cells in lines for c in cells}, key=lambda c: (c in ("unknown", "unspecified"), c))
        tables.append(CategoryTable(kind, categories, lines))
    return tables


# --------------------------------------------------------------------------------------------
# Method × model matrix.

@dataclass(frozen=True)
class Matrix:
    """ASR by row (a method, or `method [experiment]` where a method has several experiments for
    one model) and column (a model); None where nothing was run."""

    row_labels: list[str]
    col_labels: list[str]
    values: list[list[float | None]]


def asr_matrix(rows: Sequence[ASR]) -> Matrix:
    rows = sort_rows(rows)
    # A method whose (method, model) pairs are all single-experiment collapses to one line.
    experiments: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in rows:
        experiments[(r.method, r.model)].add(r.experiment)
    split = {m for (m, _), exps in experiments.items() if len(exps) > 1}

    def label(r: ASR) -> str:
        return f"{r.method} [{r.experiment}]" if r.method in split else r.method

    row_labels = list(dict.fromkeys(label(r) for r in rows))
    col_labels = sorted({r.model for r in rows}, key=str.lower)
    cells = {(label(r), r.model): r.asr for r in rows}
    values = [[cells.get((rl, cl)) for cl in col_labels] for rl in row_labels]
    return Matrix(row_labels, col_labels, values)


# --------------------------------------------------------------------------------------------
# Files.

def _num(value: float) -> str:
    return "" if value is None or math.isnan(value) else repr(float(value))


def write_asr_csv(rows: Sequence[ASR], path: Path, lengths: Mapping[tuple, int] | None = None) -> Path:
    lengths = lengths or {}
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(ASR_COLUMNS)
        for r in rows:
            w.writerow([r.method, r.experiment, r.model, r.judge, lengths.get((r.method, r.experiment, r.model), ""),
                        _num(r.asr), _num(r.ci95[0]), _num(r.ci95[1]), r.n_behaviors, r.n_test_cases, r.n_invalid])
    return path


def write_categories_csv(tables: Sequence[CategoryTable], path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(CATEGORY_COLUMNS)
        for t in tables:
            for r, cells in t.lines:
                for category, cell in cells.items():
                    w.writerow([r.method, r.experiment, r.model, r.judge, t.kind, category, _num(cell.asr),
                                cell.n_behaviors])
    return path


def _md_cell(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_table(columns: Sequence[str], lines: Iterable[Sequence[object]], align_right_from: int) -> list[str]:
    out = ["| " + " | ".join(_md_cell(c) for c in columns) + " |",
           "|" + "|".join("---:" if i >= align_right_from else "---" for i in range(len(columns))) + "|"]
    out += ["| " + " | ".join(_md_cell(v) for v in line) + " |" for line in lines]
    return out


def asr_lines(rows: Sequence[ASR]) -> list[list[object]]:
    """Rows of the main ASR table as people read it (percentages)."""
    return [[r.method, r.experiment, r.model, pct(r.asr), ci_text(r.ci95), r.n_behaviors, r.n_test_cases,
             r.n_invalid] for r in rows]


ASR_HEADERS = ["method", "experiment", "model", "ASR %", "95% CI", "behaviors", "test cases", "invalid"]


def matrix_lines(matrix: Matrix) -> list[list[str]]:
    return [[rl, *(pct(v) for v in vals)] for rl, vals in zip(matrix.row_labels, matrix.values)]


def category_lines(table: CategoryTable) -> list[list[object]]:
    return [[r.method, r.experiment, r.model,
             *(f"{pct(cells[c].asr)} ({cells[c].n_behaviors})" if c in cells else "–" for c in table.categories)]
            for r, cells in table.lines]


def markdown(rows: Sequence[ASR], tables: Sequence[CategoryTable], *, judge: str, title: str) -> str:
    matrix = asr_matrix(rows)
    out = [f"# {title}", "", f"ASR (%) by judge `{judge}`: per-behavior success rate, averaged over behaviors; "
           "95% CI from a bootstrap over behaviors.", "", "## ASR", ""]
    out += _md_table(ASR_HEADERS, asr_lines(rows), 3)
    out += ["", "## ASR (%), method × model", ""]
    out += _md_table(["method", *matrix.col_labels], matrix_lines(matrix), 1)
    for t in tables:
        out += ["", f"## ASR (%) by {t.kind} category (behaviors in parentheses)", ""]
        out += _md_table(["method", "experiment", "model", *t.categories], category_lines(t), 3)
    return "\n".join(out) + "\n"


def write_markdown(text: str, path: Path) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# Terminal.

def print_tables(rows: Sequence[ASR], tables: Sequence[CategoryTable], *, judge: str) -> None:
    """The ASR table, the method × model matrix and the category breakdowns, as rich tables."""
    from harmbench.cli.output import table

    table(f"ASR by {judge} (%; 95% CI from a bootstrap over behaviors)", ASR_HEADERS, asr_lines(rows))
    matrix = asr_matrix(rows)
    table("ASR (%), method × model", ["method", *matrix.col_labels], matrix_lines(matrix))
    for t in tables:
        table(f"ASR (%) by {t.kind} category (behaviors)", ["method", "experiment", "model", *t.categories],
              category_lines(t))
