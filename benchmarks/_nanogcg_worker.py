"""One nanoGCG run for benchmarks/gcg_vs_nanogcg.py, executed by nanoGCG's own interpreter.

    NANOGCG_PYTHON benchmarks/_nanogcg_worker.py < params.json

Runs in a separate venv (nanoGCG 0.3.0 pins transformers <= 4.47.1), so it never imports
harmbench. Reads one JSON object on stdin:

    {"model": dir, "device": "cpu"|"cuda", "dtype": "float32"|"bfloat16", "user_text": str,
     "target": str, "optim_str_init": str, "steps": int, "width": int, "topk": int, "seed": int,
     "threads": int|null, "batch_size": int|null}

and prints one JSON line on stdout: per-step wall seconds (`step_s`), per-step losses
(`losses`, nanoGCG's `result.losses`), `best_loss`, the loss of the initial suffix
(`init_loss`), the token ids nanoGCG optimises over (`ids`), the final suffix and versions.

Step times: nanoGCG wraps its step loop in `tqdm(range(num_steps))`; the worker replaces that
`tqdm` with a generator that stamps `time.perf_counter()` each time the loop asks for the next
step, so step k's time is the whole loop body (gradient, sampling, re-tokenisation filter,
candidate losses, buffer update, decode) and nothing before the loop (model loading, prefix
cache, initial buffer). The progress bar itself is not drawn.
"""

from __future__ import annotations

import json
import sys
import time


def ensure_bos(tokenizer) -> bool:
    """Make the tokenizer add BOS when encoding, if nanoGCG would otherwise lose it.

    nanoGCG removes the BOS string from the rendered chat template ("this will get added when
    tokenizing"), which holds for Llama's tokenizers; a tokenizer that adds no special tokens
    (the toy's, whose template writes `<s>` itself) would leave the prompt without BOS, a
    different token sequence from the one our GCG scores. This gives such a tokenizer Llama's
    post-processor (BOS before each sequence encoded with special tokens). True if changed.
    """
    bos, bos_id = tokenizer.bos_token, tokenizer.bos_token_id
    if not bos or bos_id is None or not getattr(tokenizer, "chat_template", None):
        return False
    rendered = tokenizer.apply_chat_template([{"role": "user", "content": "x"}], tokenize=False,
                                             add_generation_prompt=True)
    if not rendered.startswith(bos) or tokenizer("x")["input_ids"][:1] == [bos_id]:
        return False
    from tokenizers.processors import TemplateProcessing

    tokenizer._tokenizer.post_processor = TemplateProcessing(
        single=f"{bos} $A", pair=f"{bos} $A {bos} $B", special_tokens=[(bos, bos_id)])
    if tokenizer("x")["input_ids"][:1] != [bos_id]:
        raise RuntimeError("could not make the tokenizer add BOS for nanoGCG")
    return True


def nanogcg_layout(tokenizer, messages, target: str, optim_str_init: str) -> dict[str, list[int]]:
    """The ids nanoGCG 0.3.0 builds in `GCG.run` / `init_buffer` (same steps, for the report)."""
    messages = [dict(m) for m in messages]
    if not any("{optim_str}" in m["content"] for m in messages):
        messages[-1]["content"] = messages[-1]["content"] + "{optim_str}"
    template = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    if tokenizer.bos_token and template.startswith(tokenizer.bos_token):
        template = template.replace(tokenizer.bos_token, "")
    before, after = template.split("{optim_str}")
    return {
        "prefix": tokenizer([before], padding=False)["input_ids"][0],
        "suffix": tokenizer(optim_str_init, add_special_tokens=False)["input_ids"],
        "after": tokenizer([after], add_special_tokens=False)["input_ids"][0],
        "target": tokenizer([target], add_special_tokens=False)["input_ids"][0],
    }


def main() -> None:
    params = json.load(sys.stdin)
    import torch

    if params.get("threads"):
        torch.set_num_threads(int(params["threads"]))
    from importlib.metadata import version

    import nanogcg
    import nanogcg.gcg as gcg_module
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = getattr(torch, params["dtype"])
    tokenizer = AutoTokenizer.from_pretrained(params["model"])
    model = AutoModelForCausalLM.from_pretrained(params["model"], torch_dtype=dtype).to(params["device"]).eval()
    bos_added = ensure_bos(tokenizer)
    messages = [{"role": "user", "content": params["user_text"]}]

    step_s: list[float] = []

    def timed_steps(iterable, *args, **kwargs):
        last = time.perf_counter()
        for item in iterable:
            yield item
            now = time.perf_counter()
            step_s.append(now - last)
            last = now

    gcg_module.tqdm = timed_steps  # nanoGCG's `for _ in tqdm(range(config.num_steps))`

    init: dict[str, float] = {}
    original_init_buffer = gcg_module.GCG.init_buffer

    def init_buffer(self):
        buffer = original_init_buffer(self)
        init["loss"] = float(buffer.get_lowest_loss())
        return buffer

    gcg_module.GCG.init_buffer = init_buffer

    config = nanogcg.GCGConfig(
        num_steps=int(params["steps"]), optim_str_init=params["optim_str_init"],
        search_width=int(params["width"]), topk=int(params["topk"]), batch_size=params.get("batch_size"),
        n_replace=1, buffer_size=0, early_stop=False, use_prefix_cache=True, allow_non_ascii=False,
        filter_ids=True, add_space_before_target=False, seed=int(params["seed"]), verbosity="WARNING")
    result = nanogcg.run(model, tokenizer, messages, params["target"], config)
    print(json.dumps({
        "step_s": step_s,
        "losses": [float(x) for x in result.losses],
        "best_loss": float(result.best_loss),
        "init_loss": init.get("loss"),
        "final_suffix": result.strings[-1] if result.strings else None,
        "ids": nanogcg_layout(tokenizer, messages, params["target"], params["optim_str_init"]),
        "bos_added": bos_added,
        "threads": torch.get_num_threads(),
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "nanogcg": version("nanogcg"), "python": sys.version.split()[0]},
    }), flush=True)


if __name__ == "__main__":
    main()
