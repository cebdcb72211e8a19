"""What each (method, experiment, model) cost, beside its ASR: attacks compared at equal budget.

Attack cost is summed over the behaviors the ASR row covers (each behavior's test cases record
wall time, forward/backward passes, API calls and tokens); completion cost over the row's
completions (wall time and tokens). Test cases shared by several models (DirectRequest, ...) are
counted in full for each model.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from harmbench.report.asr import ASR

ATTACK_FIELDS = ("wall_s", "forward_passes", "backward_passes", "api_calls", "tokens_in", "tokens_out")


def row_costs(store, rows: Sequence[ASR], lengths: Mapping[tuple[str, str, str], int] | None = None) -> dict[tuple, dict]:
    """(method, experiment, model) -> cost figures for each ASR row."""
    attack = store.test_case_costs()
    completion: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0, 0, 0])
    for c in store.completions():
        key = (c.method, c.experiment, c.model)
        if lengths and lengths.get(key) not in (None, c.max_new_tokens):
            continue
        acc = completion[key]
        acc[0] += c.wall_s or 0.0
        acc[1] += c.tokens_in or 0
        acc[2] += c.tokens_out or 0
        acc[3] += 1
    out = {}
    for r in rows:
        key = (r.method, r.experiment, r.model)
        spent = {f: 0.0 for f in ATTACK_FIELDS}
        for behavior_id in r.per_behavior:
            for f, v in attack.get((r.method, r.experiment, behavior_id), {}).items():
                if f in spent:
                    spent[f] += v
        wall, tin, tout, n = completion.get(key, [0.0, 0, 0, 0])
        out[key] = {
            "attack_wall_s": round(spent["wall_s"], 3), "forward_passes": int(spent["forward_passes"]),
            "backward_passes": int(spent["backward_passes"]), "api_calls": int(spent["api_calls"]),
            "attack_tokens_in": int(spent["tokens_in"]), "attack_tokens_out": int(spent["tokens_out"]),
            "completion_wall_s": round(wall, 3), "completion_tokens_in": int(tin), "completion_tokens_out": int(tout),
            "completions": int(n),
            "wall_s_per_behavior": round((spent["wall_s"] + wall) / max(1, r.n_behaviors), 3),
        }
    return out


def print_cost_table(rows: Sequence[ASR], costs: Mapping[tuple, dict], names: Mapping[str, str], judge: str) -> None:
    """ASR beside what it cost, one line per (method, experiment, model)."""
    from harmbench.cli.output import table

    lines = []
    for r in rows:
        c = costs.get((r.method, r.experiment, r.model), {})
        lines.append([names.get(f"{r.method}/{r.experiment}", r.method), r.experiment, r.model, f"{100 * r.asr:.1f}",
                      f"{100 * r.ci95[0]:.1f}–{100 * r.ci95[1]:.1f}", r.n_behaviors, r.n_test_cases,
                      f"{c.get('attack_wall_s', 0):.1f}", c.get("forward_passes", 0) + c.get("backward_passes", 0),
                      c.get("api_calls", 0), f"{c.get('completion_wall_s', 0):.1f}", c.get("completion_tokens_out", 0),
                      f"{c.get('wall_s_per_behavior', 0):.2f}"])
    table(f"ASR by {judge} (%, 95% bootstrap CI over behaviors) and cost",
          ["method", "experiment", "model", "ASR", "95% CI", "behaviors", "test cases", "attack s", "fwd+bwd",
           "API calls", "completion s", "tokens out", "s / behavior"], lines)
