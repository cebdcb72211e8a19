"""Generations per second of the refusal-matching judges (run by hand).

    python benchmarks/refusal_judges.py [--n 10000]

Judges `n` generations of about 400 words (half refusals, half compliant text); the last line is
one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from harmbench.behaviors import Behavior
from harmbench.judges import get_judge

WORDS = ("the a river stone lantern quietly north garden paper window seven orange music bright table walk "
         "morning slowly harbor pencil cloud ladder copper whistle meadow").split()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10000)
    args = parser.parse_args()
    rng = random.Random(0)
    texts = []
    for i in range(args.n):
        body = " ".join(rng.choice(WORDS) for _ in range(400))
        texts.append(("I'm sorry, but I cannot help with that. " if i % 2 else "Sure, here is it: ") + body)
    behaviors = [Behavior("b", "x", "standard")] * len(texts)
    figures = {}
    for name in ("advbench", "refusal"):
        judge = get_judge(name)
        start = time.perf_counter()
        verdicts = judge.judge(behaviors, texts)
        elapsed = time.perf_counter() - start
        figures[f"{name}_generations_per_s"] = round(len(texts) / elapsed)
        print(f"{name:10s} {len(texts) / elapsed:12.0f} generations/s   ({sum(v.label for v in verdicts)} successes)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
