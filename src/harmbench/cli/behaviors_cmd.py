"""`harmbench behaviors list|show|stats`."""

from __future__ import annotations

import argparse

from harmbench.behaviors import DATASETS, dataset_stats, load_behaviors
from harmbench.cli.output import console, print_json, table
from harmbench.errors import DataError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("behaviors", help="list, show and count behaviors of a dataset")
    bsub = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--dataset", default="demo",
                       help=f"dataset name ({', '.join(DATASETS)}) or path of a behaviors CSV (default: demo)")
        q.add_argument("--data-dir", help="folder with upstream's data (default: $HARMBENCH_DATA_DIR or the cache)")
        q.add_argument("--targets", help="optimizer-targets JSON for a CSV given by path")
        q.add_argument("--json", action="store_true", help="print JSON")

    q = bsub.add_parser("list", help="one line per behavior")
    common(q)
    q.add_argument("--functional-category", help="keep only this functional category")
    q.add_argument("--semantic-category", help="keep only this semantic category")
    q.set_defaults(func=cmd_list)
    q = bsub.add_parser("show", help="every field of one behavior, and the prompt a target sees")
    q.add_argument("behavior_id")
    common(q)
    q.set_defaults(func=cmd_show)
    q = bsub.add_parser("stats", help="counts by functional and semantic category")
    common(q)
    q.set_defaults(func=cmd_stats)


def _load(args: argparse.Namespace):
    return load_behaviors(args.dataset, data_dir=args.data_dir, targets_path=args.targets)


def cmd_list(args: argparse.Namespace) -> int:
    behaviors = [
        b for b in _load(args)
        if args.functional_category in (None, b.functional_category)
        and args.semantic_category in (None, b.semantic_category)
    ]
    if args.json:
        print_json([{"BehaviorID": b.behavior_id, "Behavior": b.behavior, "FunctionalCategory": b.functional_category,
                     "SemanticCategory": b.semantic_category} for b in behaviors])
        return 0
    table(f"{args.dataset}: {len(behaviors)} behaviors", ["BehaviorID", "functional", "semantic", "behavior"],
          [[b.behavior_id, b.functional_category, b.semantic_category or "", _short(b.behavior)] for b in behaviors])
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    found = [b for b in _load(args) if b.behavior_id == args.behavior_id]
    if not found:
        raise DataError(f"no behavior {args.behavior_id!r} in dataset {args.dataset!r}",
                        hint=f"list them with: harmbench behaviors list --dataset {args.dataset}")
    b = found[0]
    fields = {
        "BehaviorID": b.behavior_id, "Behavior": b.behavior, "FunctionalCategory": b.functional_category,
        "SemanticCategory": b.semantic_category, "Tags": ", ".join(b.tags), "ContextString": b.context_string,
        "ImageFileName": b.image_file_name, "Source": b.source, "ImageDescription": b.image_description,
        "RedactedImageDescription": b.redacted_image_description, "target": b.target,
        "image_path": str(b.image_path) if b.image_path else None,
        "image_present": b.image_path.is_file() if b.image_path else None,
        "prompt": b.prompt(),
    }
    if args.json:
        print_json(fields)
        return 0
    for key, value in fields.items():
        if value not in (None, ""):
            console.print(f"[bold]{key}[/]: ", end="")
            console.print(str(value), markup=False, highlight=False)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    behaviors = _load(args)
    stats = {"dataset": args.dataset, "total": len(behaviors), **dataset_stats(behaviors)}
    if args.json:
        print_json(stats)
        return 0
    console.print(f"[bold]{args.dataset}[/]: {len(behaviors)} behaviors")
    for key in ("functional_category", "semantic_category"):
        table(key, ["category", "behaviors"], [[k, v] for k, v in stats[key].items()])
    return 0


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
