"""The report as ONE self-contained HTML file: inline CSS, a few lines of inline JS to sort tables by
clicking a header, plots as base64 PNG. Nothing is loaded from anywhere else.

Every value from the run (names, metadata, behaviors, test cases, generations) goes through
`html.escape`. Examples arrive already redacted unless the report was asked to show generations
(see `build.py`); this module only says so clearly.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from harmbench.report.asr import ASR
from harmbench.report.tables import CategoryTable, Matrix, ci_text, pct

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1d1d1f;
  margin:0 auto;padding:24px 32px 64px;max-width:1400px;background:#fff}
h1{font-size:24px;margin:0 0 4px} h2{font-size:19px;margin:36px 0 10px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:20px 0 8px}
.sub{color:#555;margin:0 0 16px}
nav a{margin-right:14px;color:#0b57d0;text-decoration:none}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:12px 0}
dl.meta dt{font-weight:600;color:#444} dl.meta dd{margin:0}
.notice{padding:10px 14px;border-radius:6px;margin:14px 0}
.notice.safe{background:#eef5ff;border:1px solid #b7d1f7}
.notice.danger{background:#fdecea;border:1px solid #f1a9a0;font-weight:600}
.notice.warn{background:#fff7e0;border:1px solid #f0d58c}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
th,td{border:1px solid #e1e1e1;padding:4px 8px;text-align:left;white-space:nowrap}
th{white-space:normal;vertical-align:bottom;min-width:3.5em}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
thead th{background:#f4f5f7;position:sticky;top:0}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th:hover{background:#e8eaee}
th[data-dir=asc]::after{content:" \\25B2";font-size:10px} th[data-dir=desc]::after{content:" \\25BC";font-size:10px}
tbody tr:nth-child(even){background:#fafbfc}
img.plot{max-width:100%;border:1px solid #eee;margin:8px 0}
pre{background:#f6f8fa;padding:8px 10px;border-radius:4px;overflow-x:auto;font-size:12px;margin:4px 0}
details{border:1px solid #e1e1e1;border-radius:6px;margin:6px 0;padding:4px 10px}
summary{cursor:pointer;font-weight:600}
.ex{border-top:1px solid #eee;padding:8px 0}
.ex .head{font-size:12px;color:#555}
.tag{display:inline-block;padding:0 6px;border-radius:8px;font-size:11px;font-weight:700;margin-right:6px}
.tag.yes{background:#fbd5d0;color:#8a1c0f} .tag.no{background:#d9efdc;color:#1c5e26} .tag.bad{background:#eee;color:#555}
.redacted{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:#6b4e00;background:#fff7e0;
  border:1px dashed #e0b84a;padding:6px 8px;border-radius:4px;white-space:pre-wrap;margin:4px 0}
.text{white-space:pre-wrap;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;background:#f6f8fa;
  padding:6px 8px;border-radius:4px;margin:4px 0;max-height:320px;overflow:auto}
.muted{color:#777}
"""

# Click a header to sort by that column (again to reverse). Cells with data-v sort by that number.
JS = """
document.querySelectorAll("table.sortable th").forEach(function (th) {
  th.addEventListener("click", function () {
    var table = th.closest("table"), body = table.tBodies[0], i = th.cellIndex;
    var dir = th.dataset.dir === "asc" ? "desc" : "asc";
    table.querySelectorAll("th").forEach(function (h) { delete h.dataset.dir; });
    th.dataset.dir = dir;
    function key(td) { var v = td && td.dataset.v !== undefined ? parseFloat(td.dataset.v) : NaN;
      return isNaN(v) ? [1, td ? td.textContent.toLowerCase() : ""] : [0, v]; }
    var rows = Array.prototype.slice.call(body.rows).sort(function (a, b) {
      var x = key(a.cells[i]), y = key(b.cells[i]);
      var c = x[0] !== y[0] ? x[0] - y[0] : (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0);
      return dir === "asc" ? c : -c; });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""


def e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _num_cell(value: float | None, text: str | None = None, *, heat: bool = False) -> str:
    """A right-aligned cell sorting by `value`; `heat` tints it by ASR."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '<td class="num muted">–</td>'
    style = f' style="background:rgba(215,48,31,{0.08 + 0.72 * float(value):.2f})"' if heat else ""
    return f'<td class="num" data-v="{float(value)!r}"{style}>{e(text if text is not None else value)}</td>'


def _table(headers: Sequence[str], body_rows: Sequence[str], *, num_from: int, caption: str = "") -> str:
    def th(h: str) -> str:  # long category names may break after an underscore
        return e(h).replace("_", "_<wbr>")

    head = "".join(f'<th class="num">{th(h)}</th>' if i >= num_from else f"<th>{th(h)}</th>"
                   for i, h in enumerate(headers))
    cap = f"<caption class=\"muted\" style=\"caption-side:bottom;text-align:left\">{e(caption)}</caption>" if caption else ""
    return (f'<div class="scroll"><table class="sortable">{cap}<thead><tr>{head}</tr></thead><tbody>'
            + "".join(f"<tr>{r}</tr>" for r in body_rows) + "</tbody></table></div>")


def _asr_table(rows: Sequence[ASR], lengths: Mapping) -> str:
    body = []
    for r in rows:
        body.append(
            f"<td>{e(r.method)}</td><td>{e(r.experiment)}</td><td>{e(r.model)}</td>"
            + _num_cell(r.asr, pct(r.asr), heat=True)
            + f'<td class="num" data-v="{r.ci95[0]!r}">{e(ci_text(r.ci95))}</td>'
            + _num_cell(r.n_behaviors) + _num_cell(r.n_test_cases) + _num_cell(r.n_invalid)
            + _num_cell(lengths.get((r.method, r.experiment, r.model))))
    return _table(["method", "experiment", "model", "ASR %", "95% CI", "behaviors", "test cases", "invalid (-1)",
                   "max new tokens"], body, num_from=3)


def _matrix_table(matrix: Matrix) -> str:
    body = [f"<td>{e(label)}</td>" + "".join(_num_cell(v, pct(v), heat=True) for v in values)
            for label, values in zip(matrix.row_labels, matrix.values)]
    return _table(["method", *matrix.col_labels], body, num_from=1)


def _category_table(t: CategoryTable) -> str:
    body = []
    for r, cells in t.lines:
        tds = "".join(_num_cell(cells[c].asr, f"{pct(cells[c].asr)} ({cells[c].n_behaviors})", heat=True)
                      if c in cells else _num_cell(None) for c in t.categories)
        body.append(f"<td>{e(r.method)}</td><td>{e(r.experiment)}</td><td>{e(r.model)}</td>{tds}")
    return _table(["method", "experiment", "model", *t.categories], body, num_from=3,
                  caption="ASR % (number of behaviors)")


def _judges_table(rows: Sequence[ASR], judge: str, others: Mapping[str, Mapping[tuple, float]]) -> str:
    names = sorted(others)
    body = []
    for r in rows:
        key = (r.method, r.experiment, r.model)
        tds = "".join(_num_cell(others[n].get(key), pct(others[n].get(key))) for n in names)
        body.append(f"<td>{e(r.method)}</td><td>{e(r.experiment)}</td><td>{e(r.model)}</td>"
                    + _num_cell(r.asr, pct(r.asr)) + tds)
    return _table(["method", "experiment", "model", f"{judge} (reported)", *names], body, num_from=3)


def _img(png: bytes, alt: str) -> str:
    return f'<img class="plot" alt="{e(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'


def _label_tag(label: int) -> str:
    if label == 1:
        return '<span class="tag yes">success (1)</span>'
    if label == 0:
        return '<span class="tag no">failure (0)</span>'
    return f'<span class="tag bad">invalid ({e(label)})</span>'


def _example(ex) -> str:
    head = (f'<div class="head">{_label_tag(ex.label)}behavior <code>{e(ex.behavior_id)}</code>, '
            f"test case {e(ex.idx)}</div>")
    behavior = (f'<div><b>Behavior:</b> {e(ex.behavior)}</div>' if ex.behavior is not None
                else '<div class="muted"><b>Behavior:</b> not in the behaviors dataset</div>')
    image = f'<div><b>Image:</b> <code>{e(ex.image)}</code></div>' if ex.image else ""
    if ex.redacted:
        shown = min(len(ex.test_case), ex.test_case_chars)
        note = (f"[test case truncated: first {shown} of {ex.test_case_chars} characters shown "
                "— rerun with --show-generations to include it whole]" if ex.test_case_truncated
                else f"[test case shown whole: {ex.test_case_chars} characters]")
        case = (f'<div><b>Test case</b> <span class="muted">{e(note)}</span></div>'
                f'<div class="redacted">{e(ex.test_case)}{" …" if ex.test_case_truncated else ""}</div>')
        gen = (f'<div><b>Generation</b></div><div class="redacted">{e(redaction_placeholder(ex.generation_chars, ex.label))}'
               "</div>")
    else:
        case = f'<div><b>Test case</b></div><div class="text">{e(ex.test_case)}</div>'
        gen = f'<div><b>Generation</b></div><div class="text">{e(ex.generation)}</div>'
    return f'<div class="ex">{head}{behavior}{image}{case}{gen}</div>'


def redaction_placeholder(n_chars: int, label: int) -> str:
    return f"[generation redacted: {n_chars} characters, label {label} — rerun with --show-generations to include]"


def _examples(rows: Sequence[ASR], examples: Mapping[tuple, list]) -> str:
    parts = []
    for r in rows:
        exs = examples.get((r.method, r.experiment, r.model), [])
        wins = sum(x.label == 1 for x in exs)
        summary = (f"{e(r.method)} / {e(r.experiment)} / {e(r.model)} — ASR {pct(r.asr)}% "
                   f"<span class=\"muted\">({wins} successes, {len(exs) - wins} failures shown)</span>")
        inner = "".join(_example(x) for x in exs) or '<p class="muted">no labelled test cases</p>'
        parts.append(f"<details><summary>{summary}</summary>{inner}</details>")
    return "".join(parts)


def _meta(meta: Mapping[str, Any], judge: str, dataset: str | None) -> str:
    def listing(value: Any) -> Any:
        return ", ".join(map(str, value)) or None if isinstance(value, (list, tuple)) else value

    identities = meta.get("judges") or {}
    if not isinstance(identities, dict):
        identities = {"(as recorded)": identities}
    items = [("judge used for ASR", judge), ("primary judge of the run", meta.get("primary_judge")),
             ("judges run", listing(meta.get("judge_names"))),
             ("judges with labels", listing(meta.get("judges_with_labels"))),
             ("behaviors dataset (run)", meta.get("behaviors_dataset")), ("behaviors used for this report", dataset),
             ("labels in the store (all judges)", meta.get("labels"))]
    out = '<dl class="meta">' + "".join(f"<dt>{e(k)}</dt><dd>{e(v) if v is not None else '<span class=muted>–</span>'}</dd>"
                                        for k, v in items) + "</dl>"
    out += "<h3>Judge identities</h3>"
    if identities:
        for name in sorted(identities):
            text = json.dumps(identities[name], indent=2, sort_keys=True, ensure_ascii=False, default=str)
            out += f"<div><b>{e(name)}</b></div><pre>{e(text)}</pre>"
    else:
        out += '<p class="muted">the run records no judge identities</p>'
    if meta.get("manifest"):
        text = json.dumps(meta["manifest"], indent=2, sort_keys=True, ensure_ascii=False, default=str)
        out += ("<h3>Manifest</h3><p>What this run's numbers depend on: library versions, models and "
                f"chat-template hashes, decoding, judges, hyperparameter hashes, behaviors, seed.</p><pre>{e(text)}</pre>")
    return out


def render(*, title: str, run_dir: str, judge: str, rows: Sequence[ASR], lengths: Mapping, matrix: Matrix,
           category_tables: Sequence[CategoryTable], heatmap_png: bytes, categories_png: bytes,
           meta: Mapping[str, Any], behaviors_dataset: str | None, examples: Mapping[tuple, list],
           show_generations: bool, warnings: Sequence[str], other_judges: Mapping[str, Mapping[tuple, float]],
           seed: int, generated_at: str) -> str:
    """The whole page as one string."""
    if show_generations:
        notice = ('<div class="notice danger">This report includes model generations and whole test cases, '
                  "which may contain harmful content. Do not share it.</div>")
    else:
        notice = ('<div class="notice safe">Generations are redacted and test cases truncated; the judge\'s label '
                  "and the length of each text are kept. Rebuild with <code>--show-generations</code> to include "
                  "them.</div>")
    warn = ("".join(f'<div class="notice warn">{e(w)}</div>' for w in warnings))
    sections = [
        ("asr", "ASR", "<p>Attack success rate: for each behavior, the share of its test cases the judge labelled 1; "
         "then the unweighted mean over behaviors. Invalid judge outputs (-1) count as failures. The 95% interval "
         f"comes from a bootstrap over behaviors (seed {e(seed)}). Click a header to sort.</p>"
         + _asr_table(rows, lengths)),
        ("matrix", "Method × model", _matrix_table(matrix) + _img(heatmap_png, "ASR heatmap, method by model")),
        ("categories", "By category", _img(categories_png, "ASR by category")
         + "".join(f"<h3>By {e(t.kind)} category</h3>" + _category_table(t) for t in category_tables)),
    ]
    if other_judges:
        sections.append(("judges", "Other judges", "<p>ASR of the same rows by every other judge with labels.</p>"
                         + _judges_table(rows, judge, other_judges)))
    sections.append(("run", "Run", _meta(meta, judge, behaviors_dataset)))
    sections.append(("examples", "Examples", "<p>A few test cases the judge labelled successful and a few it did "
                     "not, for each method, experiment and model (chosen at random, reproducibly).</p>"
                     + _examples(rows, examples)))
    nav = "<nav>" + "".join(f'<a href="#{sid}">{e(name)}</a>' for sid, name, _ in sections) + "</nav>"
    body = "".join(f'<section id="{sid}"><h2>{e(name)}</h2>{content}</section>' for sid, name, content in sections)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{e(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{e(title)}</h1><p class=\"sub\">{e(run_dir)} · judge <b>{e(judge)}</b> · "
        f"{len(rows)} rows · generated {e(generated_at)}</p>{nav}{notice}{warn}{body}"
        f"<script>{JS}</script></body></html>\n"
    )
