"""What each LLM-driven attack costs per behavior on the demo, with the stand-in LLM (run by hand).

    python benchmarks/llm_attacks.py [--methods PAIR:toy,TAP:toy,...] [--run-dir DIR] [--threads 1]
                                     [--served]

Runs step 1 (test cases) of `harmbench run` for each method's `toy` experiment on the demo's text
behaviors against the `toy` model, with the rule-based stand-in (models.yaml `standin`) as
attacker, judge and mutator. `--served` puts the stand-in behind a loopback OpenAI-compatible
server, as the tests do. Prints per method the mean model calls, tokens in and out, forward
passes and seconds per behavior (from the costs stored with each test case); the last line is one
JSON object with those figures. The stand-in answers instantly, so the seconds are the target's
(and, for AutoDAN/FewShot, the white-box scoring's) share.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
from pathlib import Path

import yaml

from harmbench.config import default_configs_dir
from harmbench.pipeline.run import RunConfig, run
from harmbench.store import RunStore

DEFAULT_METHODS = "PAIR:toy,TAP:toy,PAP:toy,AutoDAN:toy,FewShot:toy,GPTFuzz:toy,ArtPrompt:toy"
FIELDS = ("api_calls", "tokens_in", "tokens_out", "forward_passes", "wall_s")


def served_configs(url: str, root: Path) -> Path:
    shutil.copytree(default_configs_dir(), root, dirs_exist_ok=True)
    models_file = root / "model_configs" / "models.yaml"
    models = yaml.safe_load(models_file.read_text())
    models["standin"] = {"model": {"model_name_or_path": "standin-llm", "base_url": url},
                         "model_type": "closed_source", "num_gpus": 0}
    models_file.write_text(yaml.safe_dump(models, sort_keys=False))
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default=DEFAULT_METHODS)
    parser.add_argument("--run-dir", help="kept, so an interrupted run resumes (default: a temporary folder)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--served", action="store_true", help="reach the stand-in over loopback HTTP")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    run_dir = Path(args.run_dir or tempfile.mkdtemp(prefix="llm-attacks-"))
    methods = args.methods.split(",")
    server = None
    configs = None
    if args.served:
        from harmbench.models.server import serve
        from harmbench.models.standin import StandInLLM

        server = serve(StandInLLM("standin-llm"), "127.0.0.1", max_batch_size=16)
        configs = served_configs(server.url, Path(tempfile.mkdtemp(prefix="configs-")))
    try:
        run(RunConfig(run_dir=run_dir, methods=methods, models=["toy"], configs=configs), step="1")
    finally:
        if server is not None:
            server.close()
    figures = {}
    with RunStore(run_dir) as store:
        costs = store.test_case_costs()
        for method, experiment in store.methods_experiments():
            rows = [c for (m, e, _), c in costs.items() if (m, e) == (method, experiment)]
            cases = store.test_cases(method, experiment)
            figures[f"{method}:{experiment}"] = {
                "behaviors": len(rows), "test_cases": len(cases),
                **{f: round(statistics.mean(r.get(f, 0) for r in rows), 2) for f in FIELDS}}
    print(f"{'method':<20} {'behaviors':>9} {'cases':>6} {'calls':>8} {'tok in':>9} {'tok out':>8} "
          f"{'fwd':>8} {'s':>7}   (means per behavior)")
    for name, f in figures.items():
        print(f"{name:<20} {f['behaviors']:>9} {f['test_cases']:>6} {f['api_calls']:>8} {f['tokens_in']:>9} "
              f"{f['tokens_out']:>8} {f['forward_passes']:>8} {f['wall_s']:>7}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
