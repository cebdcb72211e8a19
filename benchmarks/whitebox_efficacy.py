"""ASR of the white-box attacks on the toy model, against DirectRequest (run by hand).

    python benchmarks/whitebox_efficacy.py [--methods DirectRequest,GCG:toy_200steps,...] [--run-dir DIR]

Runs the pipeline (`harmbench run`) on the demo's standard behaviors against the `toy` model and
judges with the AdvBench refusal-string judge, as the issue asks. By default GCG runs with
upstream's hyperparameters and the steps capped at 200 (experiment `toy_200steps`), the others
with their CPU-sized `toy` experiments. Prints per method the ASR, the mean first and last
target loss from the logs, and the time; the last line is one JSON object {method: ASR}.
The run directory is kept (resumable): rerunning continues where an interrupted run stopped.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from harmbench.behaviors import load_behaviors
from harmbench.pipeline.run import RunConfig, run
from harmbench.report.asr import compute_asr
from harmbench.store import RunStore

DEFAULT_METHODS = ("DirectRequest,GCG:toy_200steps,AutoPrompt:toy,UAT:toy,PEZ:toy,GBDA:toy,GCG-Multi:toy")


def _losses(logs) -> tuple[float, float] | None:
    """(first, last) recorded target loss of a behavior's logs, whatever the method's log shape."""
    entries = logs if isinstance(logs, list) else [logs]
    firsts, lasts = [], []
    for entry in entries:
        if isinstance(entry, dict) and entry.get("all_losses"):
            firsts.append(entry["all_losses"][0])
            lasts.append(entry["all_losses"][-1])
    return (statistics.mean(firsts), statistics.mean(lasts)) if firsts else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--methods", default=DEFAULT_METHODS)
    parser.add_argument("--run-dir", default=None, help="default: a new temporary directory")
    parser.add_argument("--max-new-tokens", type=int, default=512)
    args = parser.parse_args()
    run_dir = Path(args.run_dir or tempfile.mkdtemp(prefix="whitebox-efficacy-"))
    standard = [b.behavior_id for b in load_behaviors("demo") if b.functional_category == "standard"]
    figures: dict[str, float] = {}
    print(f"run directory: {run_dir}  ({len(standard)} standard demo behaviors, judge: advbench)")
    print(f"{'method':28s} {'ASR':>6s} {'loss first':>10s} {'loss last':>10s} {'seconds':>8s}")
    for method in args.methods.split(","):
        start = time.perf_counter()
        result = run(RunConfig(run_dir=run_dir, methods=[method], models=["toy"], behavior_ids=standard,
                               judges=["advbench"], max_new_tokens=args.max_new_tokens))
        elapsed = time.perf_counter() - start
        job = result.jobs[0]
        with RunStore(run_dir) as store:
            labels = store.labels(method=job.class_name, experiment=job.experiment, model="toy", judge="advbench",
                                  max_new_tokens=args.max_new_tokens)
            logs = store.behavior_logs(job.class_name, job.experiment)
        (row,) = compute_asr(labels)
        pairs = [p for p in (_losses(v) for v in logs.values()) if p]
        first = statistics.mean(p[0] for p in pairs) if pairs else float("nan")
        last = statistics.mean(p[1] for p in pairs) if pairs else float("nan")
        name = method.split(":")[0]
        figures[name] = round(row.asr, 4)
        print(f"{method:28s} {row.asr:6.0%} {first:10.3f} {last:10.3f} {elapsed:8.0f}", flush=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
