"""`harmbench data download|status`."""

from __future__ import annotations

import argparse

from harmbench.behaviors import official
from harmbench.cli.output import console, print_json, table, warn


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("data", help="get upstream HarmBench's official data (pinned and checksummed)")
    dsub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = dsub.add_parser("download", help=f"fetch upstream's data files at commit {official.PINNED_COMMIT[:7]}")
    q.add_argument("--dest", help="where to put them (default: $HARMBENCH_DATA_DIR or the user cache)")
    q.add_argument("--from", dest="source", metavar="DIR",
                   help="install from a local copy (upstream's data/ folder or a checkout) instead of the network")
    q.add_argument("--only", action="append", choices=official.GROUPS, metavar="GROUP",
                   help=f"only this group (repeatable): {', '.join(official.GROUPS)}")
    q.add_argument("--base-url", help=f"a mirror laid out like upstream's repository (or ${official.BASE_URL_ENV})")
    q.set_defaults(func=cmd_download)
    q = dsub.add_parser("status", help="which official files are present and unmodified")
    q.add_argument("--data-dir", help="data folder (default: $HARMBENCH_DATA_DIR or the user cache)")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=cmd_status)


def cmd_download(args: argparse.Namespace) -> int:
    dest = official.resolve_data_dir(args.dest)
    with console.status("installing upstream data...") as spinner:
        progress = lambda rel: spinner.update(f"installed {rel}")  # noqa: E731
        if args.source:
            report = official.install_from_dir(args.source, dest, args.only, progress)
        else:
            report = official.download(dest, args.only, progress, base_url=args.base_url)
    console.print(f"{len(report.installed)} files installed, {len(report.already_present)} already present "
                  f"and verified, in {dest}")
    if report.missing_from_source:
        groups: dict[str, int] = {}
        for rel in report.missing_from_source:
            groups[rel.split("/", 1)[0]] = groups.get(rel.split("/", 1)[0], 0) + 1
        warn(f"{len(report.missing_from_source)} pinned files are not in {args.source} and were skipped: "
             + ", ".join(f"{g} ({n})" for g, n in groups.items()))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    data_dir = official.resolve_data_dir(args.data_dir)
    status = official.status(data_dir)
    if args.json:
        print_json({"data_dir": str(data_dir), "commit": official.PINNED_COMMIT, "groups": status})
        return 0
    table(f"{data_dir} (upstream commit {official.PINNED_COMMIT[:7]})", ["group", "ok", "modified", "missing"],
          [[g, s["ok"], s["modified"], s["missing"]] for g, s in status.items()])
    if any(s["modified"] for s in status.values()):
        warn("modified files are refused when loading datasets by name; re-run `harmbench data download`")
    return 0
