"""Tokens per second of batched vs one-at-a-time generation on the hf backend (run by hand).

    python benchmarks/generate.py [--prompts 32] [--max-new-tokens 64] [--vllm]

Models: the embedded toy chat model, and a random-init Llama of about 30M parameters built from a
config (no download; it uses the toy's tokenizer). EOS is disabled for both, so every row generates
the full length and tokens/s measures generation itself, not how early answers end. All prompts go
in one batch. The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

from harmbench import get_target
from harmbench.models import GenerationConfig, GenerationRequest

TOPICS = ["a pasta recipe", "the water cycle", "a haiku about autumn", "how magnets work", "a packing list for a hike",
          "tips for learning guitar", "the history of bicycles", "a birthday message for a friend"]


def prompts(n: int) -> list[GenerationRequest]:
    return [GenerationRequest.user(f"Please write {TOPICS[i % len(TOPICS)]}" + " in detail" * (i % 4)) for i in range(n)]


def throughput(target, requests, config, batched: bool) -> float:
    start = time.perf_counter()
    outs = target.generate(requests, config) if batched else [target.generate([r], config)[0] for r in requests]
    elapsed = time.perf_counter() - start
    return sum(g.tokens_out for g in outs) / elapsed


def random_llama(tmp: Path) -> str:
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    toy = Path(__file__).resolve().parents[1] / "src/harmbench/models/toy_chat"
    tokenizer = AutoTokenizer.from_pretrained(toy)
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=512, intermediate_size=1376, num_hidden_layers=8,
                         num_attention_heads=8, num_key_value_heads=8, max_position_embeddings=2048)
    model = LlamaForCausalLM(config)
    model.generation_config.eos_token_id = None  # random weights: never stop early, measure full length
    print(f"random Llama: {sum(p.numel() for p in model.parameters()) / 1e6:.1f}M parameters")
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    return str(tmp)


def measure(name: str, spec, args, backend: str = "hf") -> dict:
    target = get_target(spec, backend=backend)
    if backend == "hf":
        target.tokenizer.eos_token_id = None  # full-length rows (see the module docstring)
        target.batch_size = args.prompts
    requests = prompts(args.prompts)
    config = GenerationConfig(max_new_tokens=args.max_new_tokens)
    target.generate(requests[:2], GenerationConfig(max_new_tokens=4))  # warm-up
    sequential = throughput(target, requests[: max(4, args.prompts // 4)], config, batched=False)
    batched = throughput(target, requests, config, batched=True)
    target.close()
    row = {"sequential_tok_s": round(sequential, 1), "batched_tok_s": round(batched, 1),
           "speedup": round(batched / sequential, 1)}
    print(f"{name:14s} {backend:5s} one at a time {sequential:8.1f} tok/s   batch of {args.prompts} "
          f"{batched:8.1f} tok/s   x{batched / sequential:.1f}")
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prompts", type=int, default=32)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--vllm", action="store_true", help="also measure the vllm backend (needs a GPU)")
    args = parser.parse_args()
    torch.set_num_threads(torch.get_num_threads())
    figures = {"toy": measure("toy", "toy", args)}
    with tempfile.TemporaryDirectory() as tmp:
        path = random_llama(Path(tmp))
        figures["llama_30m"] = measure("llama_30m", {"model_name_or_path": path}, args)
        if args.vllm:
            figures["toy_chat_vllm"] = measure("toy", "toy", args, backend="vllm")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
