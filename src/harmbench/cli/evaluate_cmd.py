"""`harmbench evaluate` (step 3) and `harmbench judge-eval` (agreement with human labels)."""

from __future__ import annotations

import argparse
from pathlib import Path

from harmbench.cli.output import console, print_json, table, warn


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="step 3: judge a run's completions (only what is not labelled yet)")
    p.add_argument("run_dir", help="run directory (holds harmbench.sqlite)")
    p.add_argument("--judge", action="append", metavar="NAME",
                   help="judge to run (repeatable; default: the run's judges, else harmbench_cls)")
    p.add_argument("--primary", metavar="NAME", help="the judge whose labels give ASR (default: the first --judge)")
    p.add_argument("--behaviors", help="behaviors dataset or CSV the run used (default: the run's, else demo)")
    p.add_argument("--data-dir", help="folder with upstream's data (default: $HARMBENCH_DATA_DIR or the cache)")
    p.add_argument("--configs", metavar="DIR", help="configs folder for judge models (default: harmbench's own)")
    p.add_argument("--classifier", metavar="MODEL", help="model for harmbench_cls (default: harmbench_cls)")
    p.add_argument("--max-new-tokens", type=int, help="only completions of this length (default: all)")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("judge-eval", help="agreement of a judge with human labels on a classifier val set")
    p.add_argument("--judge", required=True, metavar="NAME", help="judge to evaluate (e.g. advbench, harmbench_cls)")
    p.add_argument("--val-set", required=True, metavar="FILE", help="upstream's classifier val set JSON (text or multimodal)")
    p.add_argument("--behaviors", help="behaviors dataset for the val set's IDs (default: text_all / multimodal_all)")
    p.add_argument("--data-dir", help="folder with upstream's data (default: the val set's data folder, else the cache)")
    p.add_argument("--configs", metavar="DIR", help="configs folder for judge models")
    p.add_argument("--classifier", metavar="MODEL", help="model for harmbench_cls")
    p.add_argument("--json", action="store_true", help='print {"n": N, "judges": {NAME: {...}}}')
    p.set_defaults(func=cmd_judge_eval)


def _judge(name: str, args: argparse.Namespace, data_dir=None):
    from harmbench.judges import get_judge

    return get_judge(name, model=args.classifier, configs=args.configs, data_dir=data_dir)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from harmbench.behaviors import load_behaviors
    from harmbench.errors import StoreError
    from harmbench.pipeline.evaluate import evaluate
    from harmbench.report.asr import compute_asr
    from harmbench.store import RunStore

    if not (Path(args.run_dir) / RunStore.FILENAME).is_file():
        raise StoreError(f"{args.run_dir} holds no run store", hint="give the directory of a run")
    with RunStore(args.run_dir) as store:
        names = args.judge or store.get_meta("judge_names") or ["harmbench_cls"]
        dataset = args.behaviors or store.get_meta("behaviors_dataset") or "demo"
        behaviors = {b.behavior_id: b for b in load_behaviors(dataset, data_dir=args.data_dir)}
        judges = [_judge(n, args, args.data_dir) for n in names]
        with Progress(console=console, transient=True) as bar:
            tasks = {n: bar.add_task(f"judging with {n}", total=None) for n in names}
            report = evaluate(store, judges, behaviors, max_new_tokens=args.max_new_tokens,
                              progress=lambda n, k: bar.advance(tasks[n], k))
        store.set_meta("behaviors_dataset", dataset)
        store.set_meta("judge_names", names)
        primary = args.primary or store.get_meta("primary_judge") or names[0]
        store.set_meta("primary_judge", primary)
        rows = compute_asr(store.labels(judge=primary), behaviors)
    if report.skipped_unknown_behaviors:
        warn(f"skipped {len(report.skipped_unknown_behaviors)} behaviors not in {dataset!r} "
             f"(e.g. {sorted(report.skipped_unknown_behaviors)[0]!r})")
    console.print("labels written: " + ", ".join(f"{n} {k}" for n, k in report.labelled.items()))
    table(f"ASR by {primary}", ["method", "experiment", "model", "ASR", "95% CI", "behaviors", "invalid"],
          [[r.method, r.experiment, r.model, f"{100 * r.asr:.1f}", f"{100 * r.ci95[0]:.1f}–{100 * r.ci95[1]:.1f}",
            r.n_behaviors, r.n_invalid] for r in rows])
    return 0


def cmd_judge_eval(args: argparse.Namespace) -> int:
    from harmbench.behaviors import Behavior, load_behaviors
    from harmbench.errors import HarmbenchError
    from harmbench.judges.agreement import agreement, evaluate_judge, read_val_set, stored_predictions

    items = read_val_set(args.val_set)
    multimodal = items[0].multimodal
    data_dir = args.data_dir
    beside = Path(args.val_set).resolve().parent.parent
    if data_dir is None and (beside / "behavior_datasets").is_dir():
        data_dir = beside  # the val set lies in a data folder: read its behaviors from there
    dataset = args.behaviors or ("multimodal_all" if multimodal else "text_all")
    try:
        behaviors = {b.behavior_id: b for b in load_behaviors(dataset, data_dir=data_dir)}
    except HarmbenchError as err:
        if args.judge == "harmbench_cls":
            raise
        warn(f"no behaviors ({err.message}); the standard/contextual split is left out")
        behaviors = {}
    judge = _judge(args.judge, args, data_dir)

    def behavior_for(item):
        if item.behavior_id in behaviors:
            return behaviors[item.behavior_id]
        if args.judge == "harmbench_cls":
            raise HarmbenchError(f"behavior {item.behavior_id!r} of the val set is not in {dataset!r}",
                                 hint="the classifier needs each behavior's text: pass --behaviors / --data-dir")
        return Behavior(item.behavior_id, "", "multimodal" if item.multimodal else "standard")

    with console.status(f"judging {len(items)} items with {args.judge}..."):
        predicted = evaluate_judge(judge, items, behavior_for)
    stored = stored_predictions(items)
    ours = f"{args.judge} (this run)" if args.judge in stored else args.judge
    result = agreement(items, {ours: predicted, **stored}, behaviors)
    if args.judge in stored:  # the file holds this judge's labels too: say whether we reproduce them
        same = sum(p == s for p, s in zip(predicted, stored[args.judge]))
        result["reproduces_stored_column"] = {"column": args.judge, "equal": same, "n": len(items)}
    if args.json:
        print_json(result)
        return 0
    splits = sorted({k for row in result["judges"].values() for k in row if k.startswith("accuracy_")})
    table(f"{args.val_set}: {result['n']} items, {result['positives']} positive by human majority",
          ["judge", "accuracy", *[s.removeprefix("accuracy_") for s in splits], "precision", "recall", "F1", "kappa",
           "invalid"],
          [[("→ " if name == ours else "") + name, f"{r['accuracy']:.3f}", *[f"{r.get(s, float('nan')):.3f}" for s in splits],
            f"{r['precision']:.3f}", f"{r['recall']:.3f}", f"{r['f1']:.3f}", f"{r['kappa']:.3f}", r["n_invalid"]]
           for name, r in result["judges"].items()])
    if "reproduces_stored_column" in result:
        r = result["reproduces_stored_column"]
        console.print(f"{args.judge} (this run) equals the file's {r['column']!r} column on {r['equal']} of {r['n']} items")
    return 0
