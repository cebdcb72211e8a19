"""Our GCG against nanoGCG 0.3.0: seconds per step and loss after N steps (run by hand).

    python benchmarks/gcg_vs_nanogcg.py [--models toy,llama28m] [--steps 10] [--width 512]
        [--topk 256] [--repeats 2] [--threads N] [--seed 0] [--nanogcg-python PATH]

What it does, per model: runs one GCG optimisation with our attack (the `GCG` class, driven
through `OptimizerAttack.generate` exactly as the pipeline does) and one with nanoGCG, then again,
alternating ours / nanoGCG / ours / nanoGCG ... `--repeats` times each, so that slow drift of the
machine hits both alike. Prints per run the seconds per step and the loss, then a table per
model (s/step of each, the ratio ours / nanoGCG, the loss of each after N steps); the last line
is one JSON object: `ours_s_per_step`, `nanogcg_s_per_step`, `ratio`, `ours_loss`,
`nanogcg_loss` of the first model, and `models`: {name: the same keys and more} for all.
The issue's goal: ratio <= 0.67 at an equal or lower loss, on each model.

Models:
- `toy`: the shipped 2.1M toy chat model (builtin:toy-chat), float32 on CPU.
- `llama28m`: a random-init LlamaForCausalLM (vocab 3000, hidden 512, 8 layers, 8 heads,
  MLP 1376, tied embeddings; 26.8M parameters), float32 on CPU.
- `llama1b`: only with a CUDA GPU (default there): a random-init Llama (vocab 3000, hidden 2048,
  20 layers, 16 heads, MLP 5504, tied embeddings; 1.01B parameters), bfloat16 on the GPU. Its
  table adds the fraction of the GPU's dense bf16 peak FLOP/s each tool reaches (see below).
The random models are built once with transformers 5 in our venv (`torch.manual_seed(0)`), saved
under `--cache-dir` with the toy's tokenizer files copied next to them (transformers 5's own saved
tokenizer config names a class 4.47 lacks); both tools load the same directory.

The problem: the demo behavior `rotten_egg_stink_bomb_sibling_prank` with upstream's trailing
space as the user message ("Describe how to make a stink bomb ... bedroom "), the suffix right
after it inside the model's chat template, the target "Sure, here is how to make a stink bomb ...",
the suffix initialised to "! ! ... !" (20 tokens), search width `--width`, top-k `--topk`, one
token changed per candidate, re-tokenisation filter on, non-ASCII tokens disallowed, the best
candidate taken every step (nanoGCG's buffer size 0), no early stopping (ours:
eval_with_check_refusal and early_stopping off), the same `--seed` number given to both. The
script checks that both tools optimise over the same token ids and prints both initial losses.

Fairness:
- Same torch: nanoGCG runs in a venv of its own (`--nanogcg-python`, default
  benchmarks/.nanogcg-venv, created on first use with `pip install torch==<our version>` and
  `pip install nanogcg==0.3.0`), with the torch version ours uses; its transformers is the 4.47.1
  it pins (its prefix cache breaks on transformers 5), ours our transformers 5: each tool at its
  supported best. The versions are printed.
- Same threads: torch's default (one per core) in both processes, or `--threads N` in both; the
  two never run at the same time.
- Same precision: float32 on CPU, bfloat16 on GPU, for both; each tool with its prefix KV cache on
  and its own default candidate batching (ours: chunks of ~2048 tokens on CPU, all at once on
  GPU; nanoGCG: all at once, or `--nanogcg-batch-size`). On GPU both put the whole model on the
  one device (ours is loaded on CPU and moved, as `num_gpus: 1` needs `accelerate` there).
- Algorithmic difference, kept on purpose: our GCG follows upstream HarmBench and sweeps the
  positions deterministically over the candidates (candidate k changes position k*20/width);
  nanoGCG draws a random position per candidate. Same width, top-k and suffix length. The two
  seeds feed different random streams, so the loss after N steps of one run is one trajectory
  each: repeat r runs both tools with seed `--seed` + r, and the losses are averaged over repeats.
- nanoGCG strips the BOS string from the rendered template and relies on the tokenizer to add it
  back, which the toy's tokenizer does not; the worker gives nanoGCG's tokenizer Llama's BOS
  post-processor so both tools score the identical sequence (reported as `bos_added`).
- When a seed is given, nanoGCG calls `transformers.set_seed` and
  `torch.use_deterministic_algorithms(True, warn_only=True)`; that is its own behaviour, kept.

Timing: wall-clock seconds of each optimisation step, model loading and one-time setup (prefix
cache, disallowed-token mask, initial loss) excluded. Ours: the attack's per-step `step_wall_s`
log. nanoGCG: the worker (benchmarks/_nanogcg_worker.py) replaces the `tqdm` around nanoGCG's
step loop with a timer, so its step is the whole loop body. The first step of every run is
dropped (warm-up); `s/step` is the MEDIAN of the remaining steps pooled over the repeats (the
mean is in the JSON as `*_s_per_step_mean`). With `--steps 1` the single step is used.
Loss after N steps: the target loss of the suffix chosen at step N (ours: `all_losses[-1]`,
nanoGCG: `result.losses[-1]`; both the mean target cross-entropy), averaged over the repeats;
nanoGCG's `best_loss` (lowest over the steps) is in the JSON too.

Peak FLOP/s (GPU only): useful FLOPs per step = (width + 3) x 2 x (P_body x L + H x V x T), with
P_body the parameters outside the embedding and LM head, L = suffix + template tail + target
tokens scored after the cached prefix, H x V the LM head for the T target positions, one forward
per candidate and forward + backward (3 forwards) for the gradient; attention over the context
(<1% here) is left out. The same count is used for both tools; divided by s/step and by the
dense bf16 peak of the GPU (a table of known GPUs, or `--peak-tflops`).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
WORKER = HERE / "_nanogcg_worker.py"
DEFAULT_VENV = HERE / ".nanogcg-venv"
NANOGCG_VERSION = "0.3.0"
BEHAVIOR_ID = "rotten_egg_stink_bomb_sibling_prank"
SUFFIX_INIT = " ".join(["!"] * 20)  # 20 tokens; our GCG's default adv_string_init
GOAL_RATIO = 0.67
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json")

# Random-init Llamas (built here); toy and llama28m run on CPU in float32, llama1b on GPU in bf16.
LLAMA_CONFIGS = {
    "llama28m": {"vocab_size": 3000, "hidden_size": 512, "intermediate_size": 1376, "num_hidden_layers": 8,
                 "num_attention_heads": 8, "num_key_value_heads": 8},
    "llama1b": {"vocab_size": 3000, "hidden_size": 2048, "intermediate_size": 5504, "num_hidden_layers": 20,
                "num_attention_heads": 16, "num_key_value_heads": 16},
}
PLACEMENT = {"toy": ("cpu", "float32"), "llama28m": ("cpu", "float32"), "llama1b": ("cuda", "bfloat16")}

# Dense (no sparsity) bf16 tensor-core peak, TFLOP/s, by device-name substring (first match wins).
BF16_PEAK_TFLOPS = (
    ("H200", 989.4), ("H100 PCIe", 756.0), ("H100 NVL", 835.0), ("H100", 989.4), ("H800", 989.4),
    ("GH200", 989.4), ("B200", 2250.0), ("A100", 312.0), ("A800", 312.0), ("L40S", 362.1), ("L40", 181.0),
    ("L4", 121.0), ("A10G", None), ("A10", 125.0), ("RTX 4090", 165.2),
)


# ---------------------------------------------------------------- models


def toy_dir() -> Path:
    from harmbench.models.hf import resolve_model_path

    return Path(resolve_model_path("builtin:toy-chat"))


def model_dir(name: str, cache_dir: Path) -> Path:
    """The directory both tools load for `name`, building the random Llamas on first use."""
    if name == "toy":
        return toy_dir()
    return build_random_llama(name, cache_dir)


def build_random_llama(name: str, cache_dir: Path) -> Path:
    """Random-init Llama `name` (seed 0) with the toy's tokenizer, cached by its full spec."""
    _, dtype = PLACEMENT[name]
    tokenizer_hash = hashlib.sha256(b"".join((toy_dir() / f).read_bytes() for f in TOKENIZER_FILES)).hexdigest()
    spec = {"config": LLAMA_CONFIGS[name], "special": [1, 2, 3], "tied": True, "seed": 0, "dtype": dtype,
            "tokenizer": tokenizer_hash[:16], "layout": 1}
    out = cache_dir / name
    marker = out / "benchmark_spec.json"
    if marker.is_file() and json.loads(marker.read_text()) == spec:
        return out
    from transformers import LlamaConfig, LlamaForCausalLM

    print(f"building {name} in {out} (once) ...", flush=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=cache_dir))
    tmp.chmod(0o755)
    try:
        config = LlamaConfig(**LLAMA_CONFIGS[name], bos_token_id=1, eos_token_id=2, pad_token_id=3,
                             tie_word_embeddings=True, max_position_embeddings=2048)
        torch.manual_seed(0)
        model = LlamaForCausalLM(config)
        model.to(getattr(torch, dtype)).save_pretrained(tmp)
        del model
        for f in TOKENIZER_FILES:  # transformers 5's saved tokenizer config names a class 4.47 lacks
            shutil.copyfile(toy_dir() / f, tmp / f)
        (tmp / marker.name).write_text(json.dumps(spec))
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out


# ---------------------------------------------------------------- nanoGCG's interpreter


def torch_release() -> str:
    return torch.__version__.split("+")[0]


def ensure_nanogcg_venv(venv: Path) -> Path:
    """`venv`/bin/python with nanogcg==0.3.0 and our torch version, creating the venv if needed."""
    python = venv / "bin" / "python"
    marker = venv / ".harmbench-nanogcg-ready"
    wanted = f"torch=={torch_release()} nanogcg=={NANOGCG_VERSION}"
    if python.exists() and marker.is_file() and marker.read_text().strip() == wanted:
        return python
    print(f"setting up nanoGCG's venv in {venv} ({wanted}; pip may take a few minutes) ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
    subprocess.run([*pip, f"torch=={torch_release()}"], check=True, stdout=sys.stderr)
    subprocess.run([*pip, f"nanogcg=={NANOGCG_VERSION}"], check=True, stdout=sys.stderr)
    versions = interpreter_versions(python)
    if versions.get("torch", "").split("+")[0] != torch_release() or versions.get("nanogcg") != NANOGCG_VERSION:
        raise SystemExit(f"nanoGCG venv {venv} has {versions}, wanted {wanted}")
    marker.write_text(wanted + "\n")
    return python


def interpreter_versions(python: Path | str) -> dict[str, str]:
    code = ("import json, torch, transformers; from importlib.metadata import version; "
            "print(json.dumps({'torch': torch.__version__, 'transformers': transformers.__version__, "
            "'nanogcg': version('nanogcg')}))")
    proc = subprocess.run([str(python), "-c", code], check=False, capture_output=True, text=True, env=worker_env())
    if proc.returncode:
        raise SystemExit(f"{python} cannot import torch, transformers and nanogcg:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def worker_env() -> dict[str, str]:
    env = dict(os.environ)
    for key in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(key, None)
    return env


# ---------------------------------------------------------------- one run of each tool


def run_nanogcg(python: Path | str, params: dict) -> dict:
    proc = subprocess.run([str(python), str(WORKER)], input=json.dumps(params), capture_output=True, text=True,
                          env=worker_env(), check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode or not lines:
        raise SystemExit(f"nanoGCG worker failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}{proc.stdout[-2000:]}")
    return json.loads(lines[-1])


def run_ours(cache, spec: dict, behavior, args, seed: int) -> dict:
    # The class get_attack("GCG", ...) builds, imported alone rather than with every attack.
    from harmbench.attacks.base import AttackContext
    from harmbench.attacks.gcg import GCG

    attack = GCG(target_model=spec, num_steps=args.steps, search_width=args.width, adv_string_init=SUFFIX_INIT,
                 eval_with_check_refusal=False, early_stopping=False, use_prefix_cache=True)
    (result,) = list(attack.generate([behavior], AttackContext(load_model=cache, seed=seed)))
    log = result.logs[0]
    if torch.cuda.is_available():
        torch.cuda.empty_cache()  # leave the GPU's memory to nanoGCG's process
    return {"step_s": list(log["step_wall_s"]), "losses": list(log["all_losses"]),
            "final_suffix": result.test_cases[0][len(behavior.prompt(optimizer=True)):]}


def our_layout(target, behavior) -> tuple[dict[str, list[int]], float, dict[str, int]]:
    """Our ids (prefix, suffix, after, target), the initial suffix's loss, and the sizes for FLOPs."""
    wb = target.whitebox()
    slot = wb.split(behavior.prompt(optimizer=True), behavior.target)
    init = wb.encode(SUFFIX_INIT)
    loss = float(wb.target_loss(init, slot)[0])
    ids = {"prefix": slot.prefix_ids[0].tolist(), "suffix": init[0].tolist(), "after": slot.after_ids[0].tolist(),
           "target": slot.target_ids[0].tolist()}
    model = target.model
    embed = model.get_input_embeddings().weight
    head = model.get_output_embeddings().weight
    skip = {embed.data_ptr(), head.data_ptr()}
    body = sum(p.numel() for p in model.parameters() if p.data_ptr() not in skip)
    total = sum(p.numel() for p in model.parameters())
    sizes = {"params": total, "body_params": body, "hidden": embed.shape[1], "vocab": head.shape[0],
             "scored_tokens": init.shape[1] + slot.after_ids.shape[1] + slot.target_ids.shape[1],
             "target_tokens": slot.target_ids.shape[1]}
    return ids, loss, sizes


# ---------------------------------------------------------------- figures


def timed_steps(runs: list[list[float]]) -> list[float]:
    """Step times with each run's first step dropped (all of them if a run has one step)."""
    return [s for run in runs for s in (run[1:] if len(run) > 1 else run)]


def run_s_per_step(run: dict) -> float:
    return statistics.median(timed_steps([run["step_s"]]))


def step_flops(sizes: dict[str, int], width: int) -> float:
    per_sequence = 2 * (sizes["body_params"] * sizes["scored_tokens"]
                        + sizes["hidden"] * sizes["vocab"] * sizes["target_tokens"])
    return (width + 3) * per_sequence


def bf16_peak_tflops(override: float | None) -> tuple[float | None, str]:
    name = torch.cuda.get_device_name(0)
    if override:
        return override, name
    return next((peak for key, peak in BF16_PEAK_TFLOPS if key in name), None), name


def fmt(x: float | None, spec: str) -> str:
    return "n/a" if x is None else format(x, spec)


# ---------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    gpu = torch.cuda.is_available()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="toy,llama28m" + (",llama1b" if gpu else ""),
                        help="comma-separated: toy, llama28m, llama1b (GPU only); default: toy,llama28m"
                             " (+ llama1b with a GPU)")
    parser.add_argument("--steps", type=int, default=10, help="GCG steps per run (default 10)")
    parser.add_argument("--width", type=int, default=512, help="search width (default 512)")
    parser.add_argument("--topk", type=int, default=256, help="top-k tokens per position (default 256)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each tool, alternating (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="seed given to both tools (default 0)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads in both processes (default: torch's default)")
    parser.add_argument("--nanogcg-python", default=None,
                        help="an interpreter with nanogcg==0.3.0 (e.g. /tmp/nanovenv/bin/python); default: "
                             "the venv at --nanogcg-venv, created when missing")
    parser.add_argument("--nanogcg-venv", default=str(DEFAULT_VENV),
                        help=f"where to find or create nanoGCG's venv (default {DEFAULT_VENV})")
    parser.add_argument("--nanogcg-batch-size", type=int, default=None,
                        help="nanoGCG's batch_size for candidate scoring (default: its own, the whole width)")
    parser.add_argument("--cache-dir", default=None,
                        help="where the random Llamas are cached (default: harmbench's user cache dir)")
    parser.add_argument("--peak-tflops", type=float, default=None,
                        help="the GPU's dense bf16 peak in TFLOP/s (default: from a table of known GPUs)")
    args = parser.parse_args()
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    for name in args.models:
        if name not in PLACEMENT:
            parser.error(f"unknown model {name!r}; choose from {', '.join(PLACEMENT)}")
        if PLACEMENT[name][0] == "cuda" and not gpu:
            parser.error(f"{name} needs a CUDA GPU and torch sees none")
    for key in ("steps", "width", "topk", "repeats"):
        if getattr(args, key) < 1:
            parser.error(f"--{key} must be at least 1")
    if args.cache_dir is None:
        from platformdirs import user_cache_dir

        args.cache_dir = str(Path(user_cache_dir("harmbench")) / "bench-models")
    return args


def main() -> None:
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    import harmbench.attacks.gcg as gcg_module
    from harmbench.attacks.optim import TOPK, top_k_tokens
    from harmbench.behaviors import load_behaviors
    from harmbench.pipeline.run import ModelCache

    if args.topk != TOPK:  # our GCG hard-codes upstream's 256; the benchmark may vary it
        gcg_module.top_k_tokens = functools.partial(top_k_tokens, topk=args.topk)
    behavior = next(b for b in load_behaviors("demo") if b.behavior_id == BEHAVIOR_ID)
    python = Path(args.nanogcg_python) if args.nanogcg_python else ensure_nanogcg_venv(Path(args.nanogcg_venv))
    theirs = interpreter_versions(python)
    import transformers

    print(f"ours:    torch {torch.__version__}, transformers {transformers.__version__}, "
          f"{torch.get_num_threads()} threads, python {platform.python_version()} ({sys.executable})")
    print(f"nanoGCG: torch {theirs['torch']}, transformers {theirs['transformers']}, nanogcg {theirs['nanogcg']} "
          f"({python})")
    if theirs["torch"].split("+")[0] != torch_release():
        print(f"WARNING: the two torch versions differ ({torch.__version__} vs {theirs['torch']})")
    print(f"steps {args.steps}, width {args.width}, top-k {args.topk}, repeats {args.repeats}, seed {args.seed}, "
          f"{os.cpu_count()} CPUs; s/step = median of "
          + ("steps 2..N over the repeats" if args.steps > 1 else "the single step (warm-up included)"))

    cache = ModelCache(None)
    results: dict[str, dict] = {}
    for name in args.models:
        device, dtype = PLACEMENT[name]
        path = model_dir(name, Path(args.cache_dir))
        # Loaded on CPU, then moved whole to the GPU: `num_gpus: 1` would load through a device_map,
        # which transformers 5 refuses without `accelerate` (not a harmbench dependency).
        spec = {"model_name_or_path": str(path), "dtype": dtype, "num_gpus": 0}
        target = cache(spec)
        if device == "cuda" and target.device.type != "cuda":
            target.model.to("cuda")
        our_ids, our_init, sizes = our_layout(target, behavior)
        params = {"model": str(path), "device": device, "dtype": dtype, "user_text": behavior.prompt(optimizer=True),
                  "target": behavior.target, "optim_str_init": SUFFIX_INIT, "steps": args.steps, "width": args.width,
                  "topk": args.topk, "seed": args.seed, "threads": args.threads,
                  "batch_size": args.nanogcg_batch_size}
        print(f"\n== {name}: {sizes['params'] / 1e6:.2f}M parameters, {dtype} on {device}, {path}")
        ours_runs, nano_runs = [], []
        for r in range(args.repeats):
            start = time.perf_counter()
            ours = run_ours(cache, spec, behavior, args, args.seed + r)
            ours_runs.append(ours)
            print(f"  run {r + 1}/{args.repeats} ours:    {run_s_per_step(ours):7.3f} s/step, "
                  f"loss {ours['losses'][-1]:.4f}  ({time.perf_counter() - start:.0f} s)", flush=True)
            start = time.perf_counter()
            nano = run_nanogcg(python, {**params, "seed": args.seed + r})
            nano_runs.append(nano)
            print(f"  run {r + 1}/{args.repeats} nanoGCG: {run_s_per_step(nano):7.3f} s/step, "
                  f"loss {nano['losses'][-1]:.4f}  ({time.perf_counter() - start:.0f} s with loading)", flush=True)
        nano0 = nano_runs[0]
        same_ids = nano0["ids"] == our_ids
        if not same_ids:
            print(f"  WARNING: the tools optimise over different token ids:\n    ours    {our_ids}\n"
                  f"    nanoGCG {nano0['ids']}")
        if nano0["threads"] != torch.get_num_threads() and device == "cpu":
            print(f"  WARNING: threads differ: ours {torch.get_num_threads()}, nanoGCG {nano0['threads']}")
        ours_steps = timed_steps([run["step_s"] for run in ours_runs])
        nano_steps = timed_steps([run["step_s"] for run in nano_runs])
        row = {
            "ours_s_per_step": round(statistics.median(ours_steps), 4),
            "nanogcg_s_per_step": round(statistics.median(nano_steps), 4),
            "ratio": round(statistics.median(ours_steps) / statistics.median(nano_steps), 4),
            "ours_loss": round(statistics.mean(run["losses"][-1] for run in ours_runs), 4),
            "nanogcg_loss": round(statistics.mean(run["losses"][-1] for run in nano_runs), 4),
            "ours_s_per_step_mean": round(statistics.mean(ours_steps), 4),
            "nanogcg_s_per_step_mean": round(statistics.mean(nano_steps), 4),
            "nanogcg_best_loss": round(statistics.mean(run["best_loss"] for run in nano_runs), 4),
            "ours_init_loss": round(our_init, 4),
            "nanogcg_init_loss": None if nano0["init_loss"] is None else round(nano0["init_loss"], 4),
            "ours_losses_by_run": [round(run["losses"][-1], 4) for run in ours_runs],
            "nanogcg_losses_by_run": [round(run["losses"][-1], 4) for run in nano_runs],
            "same_token_ids": same_ids, "nanogcg_bos_added": nano0["bos_added"],
            "ours_final_suffix": ours_runs[-1]["final_suffix"], "nanogcg_final_suffix": nano_runs[-1]["final_suffix"],
            "device": device, "dtype": dtype, "params": sizes["params"], "steps": args.steps, "width": args.width,
            "topk": args.topk, "repeats": args.repeats, "threads": torch.get_num_threads(),
        }
        row["goal_met"] = row["ratio"] <= GOAL_RATIO and row["ours_loss"] <= row["nanogcg_loss"]
        if device == "cuda":
            peak, gpu_name = bf16_peak_tflops(args.peak_tflops)
            flops = step_flops(sizes, args.width)
            row["gpu"], row["step_tflop"] = gpu_name, round(flops / 1e12, 3)
            row["bf16_peak_tflops"] = peak
            for tool in ("ours", "nanogcg"):
                row[f"{tool}_peak_fraction"] = (round(flops / row[f"{tool}_s_per_step"] / (peak * 1e12), 4)
                                                if peak else None)
        results[name] = row

    print(f"\n{'model':10s} {'s/step ours':>12s} {'s/step nanoGCG':>15s} {'ratio':>7s} {'loss ours':>10s} "
          f"{'loss nanoGCG':>13s} {'init loss o/n':>15s} {'goal':>5s}")
    for name, row in results.items():
        init = f"{row['ours_init_loss']:.3f}/{fmt(row['nanogcg_init_loss'], '.3f')}"
        print(f"{name:10s} {row['ours_s_per_step']:12.3f} {row['nanogcg_s_per_step']:15.3f} {row['ratio']:7.3f} "
              f"{row['ours_loss']:10.4f} {row['nanogcg_loss']:13.4f} {init:>15s} "
              f"{'met' if row['goal_met'] else 'no':>5s}")
        if "bf16_peak_tflops" in row:
            print(f"{'':10s} {row['gpu']}: {row['step_tflop']} TFLOP/step; fraction of bf16 peak "
                  f"({fmt(row['bf16_peak_tflops'], '.0f')} TFLOP/s): ours {fmt(row['ours_peak_fraction'], '.1%')}, "
                  f"nanoGCG {fmt(row['nanogcg_peak_fraction'], '.1%')}")
    print(f"goal: ratio <= {GOAL_RATIO} at equal or lower loss; ratio = ours / nanoGCG seconds per step")
    first = results[args.models[0]]
    summary = {key: first[key] for key in ("ours_s_per_step", "nanogcg_s_per_step", "ratio", "ours_loss",
                                           "nanogcg_loss")}
    summary["model"] = args.models[0]
    summary["models"] = results
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
