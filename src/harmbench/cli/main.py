"""Entry point of the `harmbench` command."""

from __future__ import annotations

import argparse
import sys

from harmbench import __version__
from harmbench.cli import behaviors_cmd, config_cmd, data_cmd, evaluate_cmd, generate_cmd, report_cmd, run_cmd, store_cmd
from harmbench.cli.output import err_console
from harmbench.errors import HarmbenchError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harmbench",
        description="Evaluate automated red teaming and robust refusal of LLMs (HarmBench).",
    )
    parser.add_argument("--version", action="version", version=f"harmbench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run_cmd.add_parsers(sub)
    behaviors_cmd.add_parser(sub)
    data_cmd.add_parser(sub)
    config_cmd.add_parsers(sub)
    generate_cmd.add_parser(sub)
    evaluate_cmd.add_parsers(sub)
    report_cmd.add_parser(sub)
    report_cmd.add_compare_parser(sub)
    store_cmd.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except HarmbenchError as err:
        err_console.print(f"[bold red]error:[/] {err.render()}", markup=True, highlight=False, soft_wrap=True)
        return err.exit_code
    except KeyboardInterrupt:
        err_console.print("interrupted; finished work was kept", highlight=False)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
