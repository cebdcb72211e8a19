"""PNG plots of ASR: a method × model heatmap and per-category bar charts.

matplotlib is imported inside the functions (the CLI starts without it) and used through
`matplotlib.figure.Figure` with the Agg canvas: no pyplot, no global state, no display needed.
"""

from __future__ import annotations

import io
import math
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from harmbench.report.tables import CategoryTable, Matrix

MAX_SERIES = 12  # more bars per category than this and the chart shows one bar per method instead
DPI = 110


def _new_figure(width: float, height: float):
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as err:
        from harmbench.errors import HarmbenchError

        raise HarmbenchError(f"the report's plots need matplotlib, which cannot be imported ({err})",
                             hint="pip install matplotlib") from None

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path: Path | None) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    data = buf.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def heatmap_png(matrix: Matrix, path: Path | None = None, *, title: str = "ASR (%)") -> bytes:
    """Methods down, models across, ASR in % in each cell (grey where nothing was run)."""
    import numpy as np

    n_rows, n_cols = len(matrix.row_labels), len(matrix.col_labels)
    longest_row = max((len(s) for s in matrix.row_labels), default=4)
    longest_col = max((len(s) for s in matrix.col_labels), default=4)
    width = min(4.5 + 0.08 * longest_row + 0.75 * n_cols, 30)
    height = min(2.2 + 0.06 * longest_col + 0.42 * n_rows, 40)
    fig = _new_figure(width, height)
    from matplotlib import colormaps

    ax = fig.add_subplot()
    data = np.array([[np.nan if v is None else 100 * v for v in row] for row in matrix.values], dtype=float)
    cmap = colormaps["YlOrRd"].with_extremes(bad="#d9d9d9")
    image = ax.imshow(np.ma.masked_invalid(data), cmap=cmap, vmin=0, vmax=100, aspect="auto")
    ax.set_xticks(range(n_cols), matrix.col_labels, rotation=40, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(n_rows), matrix.row_labels)
    ax.set_xlabel("model")
    ax.set_ylabel("method")
    ax.set_title(title)
    ax.set_xticks(np.arange(-0.5, n_cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, n_rows, 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    if n_rows * n_cols <= 900:
        size = 9 if n_cols <= 12 else 7
        for i in range(n_rows):
            for j in range(n_cols):
                v = data[i, j]
                text = "–" if math.isnan(v) else f"{v:.1f}"
                ax.text(j, i, text, ha="center", va="center", fontsize=size,
                        color="white" if not math.isnan(v) and v > 60 else "black")
    fig.colorbar(image, ax=ax, label="ASR (%)", fraction=0.05, pad=0.02)
    return _save(fig, path)


def _series(table: CategoryTable) -> tuple[list[str], list[dict[str, float]], str]:
    """Bar series for one breakdown: one per ASR row, or one per method (mean over its rows)
    when there are more than MAX_SERIES rows."""
    lines = table.lines
    if len(lines) <= MAX_SERIES:
        show_exp = len({(r.method, r.model) for r, _ in lines}) < len(lines)
        labels = [f"{r.method} [{r.experiment}] · {r.model}" if show_exp else f"{r.method} · {r.model}"
                  for r, _ in lines]
        return labels, [{c: cell.asr for c, cell in cells.items()} for _, cells in lines], ""
    per_method: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r, cells in lines:
        for c, cell in cells.items():
            per_method[r.method][c].append(cell.asr)
    methods = sorted(per_method, key=str.lower)
    values = [{c: sum(v) / len(v) for c, v in per_method[m].items()} for m in methods]
    return methods, values, " (mean over each method's models)"


def categories_png(tables: Sequence[CategoryTable], path: Path | None = None, *, title: str = "ASR by category") -> bytes:
    """One bar chart per kind of category (functional, semantic): categories along x, a bar per
    method · model (or per method when there are many)."""
    import numpy as np

    tables = [t for t in tables if t.categories]
    series = [_series(t) for t in tables]
    n_series = max((len(labels) for labels, _, _ in series), default=1)
    n_cats = max((len(t.categories) for t in tables), default=1)
    width = min(max(8.0, 2.5 + n_cats * (0.45 + 0.16 * n_series)), 30)
    fig = _new_figure(width, 3.8 * max(len(tables), 1) + 0.4)
    from matplotlib import colormaps

    fig.suptitle(title)
    axes = fig.subplots(max(len(tables), 1), 1, squeeze=False)[:, 0]
    cmap = colormaps["tab20" if n_series > 10 else "tab10"]
    for ax, t, (labels, values, note) in zip(axes, tables, series):
        x = np.arange(len(t.categories))
        bar_w = 0.8 / max(len(labels), 1)
        for k, (label, vals) in enumerate(zip(labels, values)):
            heights = [100 * vals[c] if c in vals else 0.0 for c in t.categories]
            ax.bar(x - 0.4 + bar_w * (k + 0.5), heights, bar_w, label=label, color=cmap(k % cmap.N))
        ax.set_xticks(x, [c.replace("_", "\n") for c in t.categories])
        ax.set_ylim(0, 100)
        ax.set_ylabel("ASR (%)")
        ax.set_title(f"by {t.kind} category{note}", fontsize=10)
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _save(fig, path)
