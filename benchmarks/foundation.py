"""Timing of the foundation layers, run by hand: `python benchmarks/foundation.py [SHARED_DIR]`.

Prints one line per figure and, last, one JSON object:
- load_text_all_ms: load + verify the 400 text behaviors and their targets;
- expand_upstream_configs_s: load upstream's configs and resolve every experiment of every method;
- store_*: a run store filled as the pipeline will (one transaction per finished unit):
  400 behaviors x 5 test cases, then one completion and one label per test case.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from harmbench import load_behaviors
from harmbench.config import load_configs
from harmbench.store import Completion, Label, RunStore, export_upstream, import_upstream


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main(shared: Path) -> None:
    figures: dict[str, float] = {}
    t, behaviors = timed(lambda: load_behaviors("text_all", data_dir=shared / "harmbench-data"))
    figures["load_text_all_ms"] = round(t * 1000, 1)

    def expand():
        configs = load_configs(shared / "harmbench-configs")
        return sum(len(m.all_experiments(configs.models)[0]) for m in configs.methods.values())

    t, n_experiments = timed(expand)
    figures["expand_upstream_configs_s"] = round(t, 3)
    figures["upstream_experiments"] = n_experiments

    with tempfile.TemporaryDirectory() as tmp:
        store = RunStore(Path(tmp) / "run")
        ids = [b.behavior_id for b in behaviors]
        t, _ = timed(lambda: [store.put_test_cases("GCG", "toy", i, [f"{i} case {k}" for k in range(5)]) for i in ids])
        units = len(ids)
        figures["store_test_case_units_per_s"] = round(units / t)
        completions = [Completion(method="GCG", experiment="toy", model="toy", behavior_id=i, idx=k,
                                  generation=f"answer {k} " * 50, tokens_in=40, tokens_out=100) for i in ids for k in range(5)]
        t, _ = timed(lambda: [store.put_completion(c) for c in completions])
        figures["store_completions_per_s"] = round(len(completions) / t)
        labels = [Label(method=c.method, experiment=c.experiment, model=c.model, behavior_id=c.behavior_id, idx=c.idx,
                        judge="harmbench_cls", label=k % 2, raw="Yes") for k, c in enumerate(completions)]
        t, _ = timed(lambda: [store.put_label(lab) for lab in labels])
        figures["store_labels_per_s"] = round(len(labels) / t)
        t, _ = timed(lambda: export_upstream(store, Path(tmp) / "out"))
        figures["export_2000_cases_s"] = round(t, 3)
        other = RunStore(Path(tmp) / "run2")
        t, _ = timed(lambda: import_upstream(other, Path(tmp) / "out"))
        figures["import_2000_cases_s"] = round(t, 3)
        store.close()
        other.close()

    for key, value in figures.items():
        print(f"{key:32s} {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared")
