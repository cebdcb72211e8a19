"""`harmbench export` / `harmbench import`: the run store to and from upstream's results layout."""

from __future__ import annotations

import argparse

from harmbench.cli.output import console


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write a run's test cases, completions and results in upstream's layout")
    p.add_argument("run_dir", help="run directory (holds harmbench.sqlite)")
    p.add_argument("dest", help="folder to write <method>/<experiment>/{test_cases,completions,results}/ into")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("import", help="read upstream's results layout into a run store")
    p.add_argument("source", help="folder holding <method>/<experiment>/test_cases/test_cases.json ...")
    p.add_argument("run_dir", help="run directory to import into (created if needed)")
    p.add_argument("--judge", default="harmbench_cls",
                   help="judge name to record for the results files' `label` (default: harmbench_cls)")
    p.set_defaults(func=cmd_import)


def cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from harmbench.errors import StoreError
    from harmbench.store import RunStore, export_upstream

    if not (Path(args.run_dir) / "harmbench.sqlite").is_file():
        raise StoreError(f"{args.run_dir} holds no run store (harmbench.sqlite)",
                         hint="give the directory of a run, or import one first with `harmbench import`")
    with RunStore(args.run_dir) as store:
        written = export_upstream(store, args.dest)
    console.print(f"exported to {args.dest}: {_counts(written)}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from harmbench.store import RunStore, import_upstream, read_upstream

    experiments = read_upstream(args.source)  # check every file before creating or touching the store
    with RunStore(args.run_dir) as store:
        counts = import_upstream(store, experiments, label_judge=args.judge)
    console.print(f"imported into {args.run_dir}: {_counts(counts)}")
    return 0


def _counts(counts) -> str:
    if isinstance(counts, dict):
        return ", ".join(f"{v} {k}" for k, v in counts.items())
    return str(counts)
