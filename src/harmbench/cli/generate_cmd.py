"""`harmbench generate`: one-off generation from any configured model, for looking at it by hand."""

from __future__ import annotations

import argparse

from harmbench.cli.output import console, print_json
from harmbench.models.base import DEFAULT_MAX_NEW_TOKENS


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("generate", help="generate from a model for a few prompts (greedy by default)")
    p.add_argument("prompts", nargs="+", metavar="PROMPT", help="user messages, one generation each")
    p.add_argument("--model", default="toy", help="models.yaml name (default: toy)")
    p.add_argument("--configs", metavar="DIR", help="configs folder (default: harmbench's own)")
    p.add_argument("--backend", choices=("hf", "vllm", "openai"), help="override the model's backend")
    p.add_argument("--max-new-tokens", type=int, default=DEFAULT_MAX_NEW_TOKENS, help="default: 512, as upstream")
    p.add_argument("--temperature", type=float, default=0.0, help="0 = greedy (default)")
    p.add_argument("--system", help="a system message to send first")
    p.add_argument("--json", action="store_true", help='print [{"prompt": ..., "generation": ...}]')
    p.set_defaults(func=cmd_generate)


def cmd_generate(args: argparse.Namespace) -> int:
    from harmbench.errors import HarmbenchError
    from harmbench.models import GenerationConfig, GenerationRequest, get_target

    if args.max_new_tokens < 1:
        raise HarmbenchError(f"--max-new-tokens must be at least 1, not {args.max_new_tokens}")
    with console.status(f"loading {args.model}...", spinner="dots"):
        target = get_target(args.model, configs=args.configs, backend=args.backend)
    config = GenerationConfig(max_new_tokens=args.max_new_tokens, temperature=args.temperature)
    try:
        with console.status("generating...", spinner="dots"):
            generations = target.generate([GenerationRequest.user(p, system=args.system) for p in args.prompts], config)
    finally:
        target.close()
    if args.json:
        print_json([{"prompt": p, "generation": g.text} for p, g in zip(args.prompts, generations)])
        return 0
    for prompt, g in zip(args.prompts, generations):
        console.print(f"[bold]> {prompt}[/]", highlight=False, markup=True)
        console.print(g.text, markup=False, highlight=False)
        console.print(f"[dim]({g.tokens_in} tokens in, {g.tokens_out} out, {g.finish_reason})[/]\n")
    return 0
