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
    _print_costs(args.run_dir, result)
    _print_manifest(args.run_dir)
    console.print(f"wrote {len(result.files)} files to [bold]{escape(str(result.out_dir))}[/]: "
                  + ", ".join(p.name for p in result.files.values()), highlight=False)
    console.print(f"open {escape(str(result.files['report.html']))}"
                  + ("" if args.show_generations else " (generations redacted; --show-generations includes them)"),
                  highlight=False)
    return 0



def _print_manifest(run_dir) -> None:
    """One paragraph of what the numbers depend on (the whole manifest is in the HTML report)."""
    from harmbench.store import RunStore

    with RunStore(run_dir) as store:
        manifest = store.get_meta("manifest")
    if not manifest:
        return
    versions = manifest.get("versions", {})
    libs = ", ".join(f"{k} {v}" for k, v in versions.items() if v)
    models = "; ".join(f"{name} ({info.get('model_name_or_path')}, template "
                       f"{(info.get('chat_template_sha256') or 'n/a')[:12]})" for name, info in manifest.get("models", {}).items())
    behaviors = manifest.get("behaviors", {})
    decoding = manifest.get("decoding", {})
    console.print(f"[bold]manifest[/] — {escape(libs)}\n  models: {escape(models)}\n  behaviors: "
                  f"{escape(str(behaviors.get('dataset')))} (n={behaviors.get('n')}, sha256 {str(behaviors.get('sha256'))[:12]}); "
                  f"decoding: max_new_tokens {decoding.get('max_new_tokens')}, greedy; judges: "
                  f"{escape(', '.join(manifest.get('judges', {})))}; seed {manifest.get('seed')}", highlight=False)


def add_compare_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="two runs side by side: ASR, and the settings that differ and can change it")
    p.add_argument("run_a")
    p.add_argument("run_b")
    p.add_argument("--json", action="store_true", help='print {"differences": [...], "asr": [...]}')
    p.set_defaults(func=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
    from harmbench.cli.output import table
    from harmbench.errors import StoreError
    from harmbench.pipeline.manifest import compare_manifests
    from harmbench.report.asr import compute_asr
    from harmbench.store import RunStore

    found = {}
    for run in (args.run_a, args.run_b):
        from pathlib import Path

        if not (Path(run) / RunStore.FILENAME).is_file():
            raise StoreError(f"{run} holds no run store", hint="give two run directories")
        with RunStore(run) as store:
            judge = store.get_meta("primary_judge") or "harmbench_cls"
            found[run] = (store.get_meta("manifest") or {}, {(r.method, r.experiment, r.model): r.asr
                                                             for r in compute_asr(store.labels(judge=judge))}, judge)
    (ma, asr_a, ja), (mb, asr_b, jb) = found[args.run_a], found[args.run_b]
    differences = compare_manifests(ma, mb)
    if ja != jb:
        differences.insert(0, f"primary judge: {ja} -> {jb}")
    keys = sorted(set(asr_a) | set(asr_b))
    rows = [{"method": k[0], "experiment": k[1], "model": k[2], "asr_a": asr_a.get(k), "asr_b": asr_b.get(k)} for k in keys]
    if args.json:
        print_json({"differences": differences, "asr": rows})
        return 0
    fmt = lambda v: "–" if v is None else f"{100 * v:.1f}"  # noqa: E731
    table(f"ASR: A = {args.run_a} ({ja}), B = {args.run_b} ({jb})", ["method", "experiment", "model", "A", "B"],
          [[r["method"], r["experiment"], r["model"], fmt(r["asr_a"]), fmt(r["asr_b"])] for r in rows])
    if differences:
        warn("the runs differ in settings that can change ASR:\n  " + "\n  ".join(differences))
    else:
        console.print("the runs' manifests agree on every setting that can change ASR")
    return 0


def _print_costs(run_dir, result) -> None:
    from harmbench.report.costs import print_cost_table
    from harmbench.store import RunStore

    with RunStore(run_dir) as store:
        names = store.get_meta("method_names") or {}
    print_cost_table(result.asr, result.costs, names, result.judge)
