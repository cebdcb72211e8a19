"""`harmbench run` and the pipeline's step commands (generate-test-cases, merge-test-cases, generate-completions)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from harmbench.cli.output import console, warn

STEP_COMMANDS = {
    "generate-test-cases": ("1", "step 1: test cases for each method x behavior (resumes; --overwrite redoes)"),
    "merge-test-cases": ("1.5", "step 1.5: check and count each experiment's test cases"),
    "generate-completions": ("2", "step 2: completions of every test case by each target model (resumes)"),
}


def _csv(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def _common(p: argparse.ArgumentParser, *, step_choice: bool) -> None:
    p.add_argument("--run-dir", default="runs/demo", help="run directory (default: runs/demo)")
    p.add_argument("--methods", type=_csv, help="comma list of proper methods, NAME[:EXPERIMENT] "
                   "(default: DirectRequest,HumanJailbreaks:demo; `all` = every available method)")
    p.add_argument("--models", type=_csv, help="comma list of models.yaml names (default: toy; `all`)")
    p.add_argument("--behaviors", default="demo", help="dataset name or behaviors CSV (default: demo)")
    p.add_argument("--behavior-ids", help="comma list of BehaviorIDs, or a file with one per line")
    p.add_argument("--data-dir", help="folder with upstream's data (default: $HARMBENCH_DATA_DIR or the cache)")
    p.add_argument("--configs", metavar="DIR", help="configs folder in upstream's layout (default: harmbench's own)")
    p.add_argument("--max-new-tokens", type=int, default=512, help="completion length (default 512, as upstream)")
    p.add_argument("--judge", action="append", metavar="NAME",
                   help="judge for step 3 (repeatable; default: refusal_copyright, advbench, refusal)")
    p.add_argument("--primary", metavar="NAME", help="judge that gives ASR (default: the first)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch-size", type=int, default=32,
                   help="test cases per completion batch, each committed as a unit (default 32)")
    p.add_argument("--overwrite", action="store_true", help="step 1: regenerate existing test cases")
    p.add_argument("--executor", choices=("local", "ray"), default="local")
    p.add_argument("--ray-address", help="address of a running Ray cluster (default: start a local one)")
    p.add_argument("--threads", type=int, metavar="N",
                   help="CPU threads for torch (default: torch's choice, one per core); 1 is faster on a busy machine")
    if step_choice:
        p.add_argument("--step", default="all", choices=("1", "1.5", "2", "3", "2_and_3", "all"))
        p.add_argument("--no-report", action="store_true", help="skip writing the report")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="the whole pipeline (with no arguments: the embedded demo on the toy model)")
    _common(p, step_choice=True)
    p.set_defaults(func=cmd_run)
    for name, (step, help_text) in STEP_COMMANDS.items():
        q = sub.add_parser(name, help=help_text)
        _common(q, step_choice=False)
        q.set_defaults(func=cmd_run, step=step, no_report=True)


def build_config(args: argparse.Namespace):
    from harmbench.attacks import attack_classes
    from harmbench.config import load_configs
    from harmbench.pipeline.run import DEMO_JUDGES, DEMO_METHODS, RunConfig

    configs = load_configs(args.configs)
    methods = args.methods or list(DEMO_METHODS)
    if methods == ["all"]:
        available = attack_classes()
        methods = [n for n, pm in configs.pipeline.items() if pm.class_name in available]
    models = args.models or ["toy"]
    if models == ["all"]:
        models = configs.models.names()
    ids = None
    if args.behavior_ids:
        path = Path(args.behavior_ids)
        ids = [line.strip() for line in path.read_text().splitlines() if line.strip()] if path.is_file() else _csv(args.behavior_ids)
    return RunConfig(
        run_dir=Path(args.run_dir), methods=methods, models=models, behaviors=args.behaviors, behavior_ids=ids,
        data_dir=args.data_dir, configs=args.configs, max_new_tokens=args.max_new_tokens,
        judges=args.judge or list(DEMO_JUDGES), primary_judge=args.primary, seed=args.seed, overwrite=args.overwrite,
        executor=args.executor, ray_address=args.ray_address, completion_batch=max(1, args.batch_size))


def cmd_run(args: argparse.Namespace) -> int:
    from harmbench.errors import HarmbenchError
    from harmbench.pipeline.run import run

    if args.max_new_tokens < 1:
        raise HarmbenchError(f"--max-new-tokens must be at least 1, not {args.max_new_tokens}")
    if args.threads is not None:
        if args.threads < 1:
            raise HarmbenchError(f"--threads must be at least 1, not {args.threads}")
        import torch

        torch.set_num_threads(args.threads)
    config = build_config(args)
    start = time.perf_counter()
    result = run(config, step=args.step, console=console)
    for line in result.skipped:
        warn(line)
    for line in result.notes:
        console.print(line, highlight=False)
    for line in result.manifest_changes:
        warn(f"this run's settings differ from the previous run in this directory (ASR may change): {line}")
    elapsed = time.perf_counter() - start
    console.print(f"computed now: {result.counts['test_cases']} behaviors' test cases, "
                  f"{result.counts['completions']} completions, {result.counts['labels']} labels "
                  f"in {elapsed:.1f} s; finished work already in the store was kept")
    if args.step in ("3", "2_and_3", "all") and not args.no_report:
        _report(result.run_dir, config)
    else:
        console.print(f"run directory: {result.run_dir}")
    return 0


def _report(run_dir: Path, config) -> None:
    from harmbench.report import build_report
    from harmbench.report.costs import print_cost_table
    from harmbench.store import RunStore

    report = build_report(run_dir, data_dir=config.data_dir)
    with RunStore(run_dir) as store:
        names = store.get_meta("method_names") or {}
    print_cost_table(report.asr, report.costs, names, report.judge)
    for w in report.warnings:
        warn(w)
    console.print(f"run directory: {run_dir}\nreport: {report.files.get('report.html', run_dir / 'report')}")
