"""`harmbench report`: ASR tables in the terminal, and CSV, Markdown, PNG and HTML files on disk."""

from __future__ import annotations

import argparse
from contextlib import nullcontext

from rich.markup import escape

from harmbench.cli.output import console, print_json, warn


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="ASR tables, plots and an HTML report of a judged run")
    p.add_argument("run_dir", help="run directory (holds harmbench.sqlite)")
    p.add_argument("--out", metavar="DIR", help="where to write the files (default: RUN_DIR/report)")
    p.add_argument("--judge", metavar="NAME", help="judge whose labels give ASR (default: the run's primary judge)")
    p.add_argument("--behaviors", metavar="NAME_OR_CSV",
                   help="behaviors dataset or CSV, for categories and texts (default: the run's, else demo)")
    p.add_argument("--data-dir", metavar="DIR", help="folder with upstream's data (default: $HARMBENCH_DATA_DIR or the cache)")
    p.add_argument("--max-new-tokens", type=int, metavar="N",
                   help="report completions of this length only (default: 512 where a run has several)")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap and of the examples (default: 0)")
    p.add_argument("--show-generations", action="store_true",
                   help="include generations and whole test cases in the HTML (redacted by default)")
    p.add_argument("--json", action="store_true",
                   help='print only {"asr": [{"method", "experiment", "model", "judge", "asr", "ci95", ...}]}')
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from harmbench.report.build import build_report
    from harmbench.report.tables import print_tables

    status = nullcontext() if args.json else console.status("building the report...")
    with status:
        result = build_report(args.run_dir, args.out, behaviors=args.behaviors, data_dir=args.data_dir,
                              judge=args.judge, show_generations=args.show_generations, seed=args.seed,
                              max_new_tokens=args.max_new_tokens)
    for message in result.warnings:
        warn(message)
    if args.json:
        print_json(result.as_json())
        return 0
    print_tables(result.asr, result.categories, judge=result.judge)
    console.print(f"wrote {len(result.files)} files to [bold]{escape(str(result.out_dir))}[/]: "
                  + ", ".join(p.name for p in result.files.values()), highlight=False)
    console.print(f"open {escape(str(result.files['report.html']))}"
                  + ("" if args.show_generations else " (generations redacted; --show-generations includes them)"),
                  highlight=False)
    return 0

