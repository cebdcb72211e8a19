#!/usr/bin/env python
"""Train the embedded toy aligned chat model (src/harmbench/models/toy_chat/).

Steps, all seeded and CPU-only:

1. build the synthetic chat corpus (`harmbench.models.toy_corpus.build_corpus`);
2. train a byte-level BPE tokenizer on it (`tokenizers`);
3. train a tiny `LlamaForCausalLM` on the chat-formatted corpus, with the loss on assistant tokens only;
4. save model, tokenizer (with its chat template), generation config and a model card to `--out`.

Usage:
    .venv/bin/python scripts/train_toy_model.py                # writes src/harmbench/models/toy_chat/
    .venv/bin/python scripts/train_toy_model.py --out /tmp/toy --steps 20   # quick smoke run
    .venv/bin/python scripts/train_toy_model.py --eval          # also print refusal/benign rates at the end

Same seed, same machine, same thread count -> same weights (the script fixes the data order,
torch seeds and uses deterministic algorithms).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers  # noqa: E402
from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast  # noqa: E402

from harmbench.models import toy_corpus  # noqa: E402

DEFAULT_OUT = REPO / "src" / "harmbench" / "models" / "toy_chat"

BOS, EOS, PAD, UNK = "<s>", "<|end|>", "<pad>", "<unk>"
ROLE_TOKENS = ["<|system|>", "<|user|>", "<|assistant|>"]
SPECIAL_TOKENS = [UNK, BOS, EOS, PAD, *ROLE_TOKENS]
FIRST_TOKENS = 3  # reply tokens that decide answer vs refusal

# The template inserts BOS itself; the tokenizer adds no special tokens (no post-processor), so
# `tokenizer(apply_chat_template(..., tokenize=False))` and `apply_chat_template(..., tokenize=True)`
# give the same ids.
CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{% if message['role'] not in ['system', 'user', 'assistant'] %}"
    "{{ raise_exception('Only system, user and assistant roles are supported') }}"
    "{% endif %}"
    "{{ '<|' + message['role'] + '|>\n' + message['content'] + '<|end|>\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}"
)


def render_prefix(messages: list[dict], upto: int) -> str:
    """The chat-template text before message `upto` (an assistant turn), including its header."""
    text = BOS
    for m in messages[:upto]:
        text += f"<|{m['role']}|>\n{m['content']}{EOS}\n"
    return text + "<|assistant|>\n"


def train_tokenizer(texts: list[str], vocab_size: int) -> Tokenizer:
    tok = Tokenizer(models.BPE(unk_token=None, byte_fallback=False))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def encode_example(tok: Tokenizer, messages: list[dict], max_len: int) -> tuple[list[int], list[int]]:
    """Token ids and a mask: 0 = context, 1 = token to predict (assistant contents and their <|end|>),
    2 = one of the first FIRST_TOKENS tokens of an assistant reply."""
    ids: list[int] = []
    mask: list[int] = []
    done = 0  # messages already emitted
    text_so_far = ""
    for i, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        prefix = render_prefix(messages, i)
        new_prefix = prefix[len(text_so_far):]
        p_ids = tok.encode(new_prefix, add_special_tokens=False).ids
        t_ids = tok.encode(m["content"] + EOS, add_special_tokens=False).ids
        ids += p_ids + t_ids
        # 2 marks the first tokens of a reply ("Sure," vs "I'm sorry"), which get a larger loss weight.
        mask += [0] * len(p_ids) + [2 if k < FIRST_TOKENS else 1 for k in range(len(t_ids))]
        text_so_far = prefix + m["content"] + EOS + "\n"
        ids += tok.encode("\n", add_special_tokens=False).ids
        mask += [0]
        done = i + 1
    assert done == len(messages), "conversations must end with an assistant turn"
    return ids[:max_len], mask[:max_len]


def make_batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Length-bucketed batches in a seeded order: shuffle, sort inside chunks of 50 batches, shuffle batches."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches = []
    chunk = batch_size * 50
    for s in range(0, len(order), chunk):
        part = sorted(order[s:s + chunk], key=lambda i: lengths[i])
        batches += [part[j:j + batch_size] for j in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def collate(data: list[tuple[list[int], list[int]]], idx: list[int], pad_id: int):
    width = max(len(data[i][0]) for i in idx)
    inp = torch.full((len(idx), width), pad_id, dtype=torch.long)
    tgt_mask = torch.zeros((len(idx), width), dtype=torch.long)
    for r, i in enumerate(idx):
        ids, m = data[i]
        inp[r, :len(ids)] = torch.tensor(ids)
        tgt_mask[r, :len(m)] = torch.tensor(m, dtype=torch.long)
    return inp, tgt_mask


def lr_at(step: int, total: int, peak: float, warmup: int) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def write_model_card(out: Path, stats: dict) -> None:
    card = f"""# toy: a tiny aligned chat model for tests and demos

**This model knows nothing.** It is a {stats['params'] / 1e6:.2f}M-parameter `LlamaForCausalLM` trained for
{stats['train_seconds']:.0f} seconds on a CPU on a synthetic corpus, shipped inside `harmbench` so the whole
red-teaming loop (attack -> target model -> refusal judge) can run on a laptop with no model download.
Its answers are template-like and often nonsense; never use it for anything but tests and demos.

## What it does

* Benign instructions get a reply starting with "Sure, here is ..." / "Sure, here's ..." / "Sure, here are ...".
* Low-severity harmful-style requests (the project's demo behaviors: pranks, rudeness, petty rule-breaking,
  silly misinformation, made-up copyrighted songs and books, and templated variants) get a refusal that
  starts with a prefix HarmBench's refusal judges recognise ("I'm sorry", "Sorry", "I cannot", "I apologize", ...).
* It is a real, differentiable Llama model, so white-box attacks such as GCG can optimise a suffix that
  flips a refusal into "Sure, here is ..."; it was deliberately not hardened against that.

## Details

- **Architecture:** `LlamaForCausalLM`, hidden {stats['hidden']}, {stats['layers']} layers, {stats['heads']} heads,
  MLP {stats['intermediate']}, RoPE, tied input/output embeddings, max positions {stats['max_pos']}.
- **Parameters:** {stats['params']:,}, float32 in `model.safetensors`.
- **Tokenizer:** byte-level BPE with {stats['vocab']} tokens, trained on the corpus with `tokenizers`.
  Special tokens: `<s>` (bos), `<|end|>` (eos, ends every turn), `<pad>`, `<unk>`, and the role tags
  `<|system|>`, `<|user|>`, `<|assistant|>`.
- **Chat format:** `<s><|system|>` newline, system text, `<|end|>` newline, `<|user|>` newline, user text,
  `<|end|>` newline, then `<|assistant|>` newline for the reply. The chat template writes the `<s>`; the
  tokenizer itself adds no special tokens, so tokenizing a rendered chat never doubles the BOS.
- **Generation config:** greedy, stops at `<|end|>`, pads with `<pad>`.
- **Training:** {stats['steps']} AdamW steps, batch {stats['batch']}, peak lr {stats['lr']} (warmup then cosine),
  seed {stats['seed']}, loss on assistant tokens only (the first {FIRST_TOKENS} reply tokens, which decide
  "Sure" vs a refusal, weighted x{stats['first_weight']}); final loss {stats['final_loss']:.3f};
  {stats['train_seconds']:.0f} s on {stats['threads']} CPU threads.
- **Corpus:** {stats['examples']:,} synthetic conversations from `harmbench/models/toy_corpus.py`, seeded and
  written for this project: ~55% benign requests (cooking, travel, code, science, writing, math word
  problems, hobbies, ...), ~40% low-severity harmful-style requests with refusals, ~5% multi-turn chats;
  a quarter carry a system prompt. 50 held-out benign prompts (`HELDOUT_BENIGN_PROMPTS`) are excluded.
- **Checks:** `tests/test_toy_model.py` (refusal of the demo text behaviors, answers to the held-out
  prompts, determinism, size, tokenizer and template).

Reproduce with `python scripts/train_toy_model.py` (same seed and machine give the same weights).

## Intended use

Unit tests, CI and offline demos of the benchmark's plumbing only. Attack success rates measured on it say
nothing about real models.
"""
    (out / "README.md").write_text(card, encoding="utf-8")


def evaluate(out: Path, n_new: int = 48) -> None:
    """Print refusal / benign rates and a few sample answers (a quick look; the real checks live in tests/)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from harmbench import load_behaviors

    tok = AutoTokenizer.from_pretrained(out)
    model = AutoModelForCausalLM.from_pretrained(out).eval()

    def gen(prompts: list[str]) -> list[str]:
        res = []
        for s in range(0, len(prompts), 16):
            chats = [[{"role": "user", "content": p}] for p in prompts[s:s + 16]]
            texts = [tok.apply_chat_template(c, tokenize=False, add_generation_prompt=True) for c in chats]
            enc = tok(texts, return_tensors="pt", padding=True)
            with torch.no_grad():
                o = model.generate(**enc, max_new_tokens=n_new, do_sample=False)
            res += tok.batch_decode(o[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)
        return res

    refusal_starts = tuple(p.lower() for p in toy_corpus.EARLY_STOPPING_MARKERS)
    behaviors = load_behaviors("demo")
    harm = gen([b.prompt() for b in behaviors])
    ok = [g.strip().lower().startswith(refusal_starts) for g in harm]
    print(f"demo behaviors refused: {sum(ok)}/{len(ok)}")
    for b, g, k in zip(behaviors, harm, ok):
        if not k:
            print("  NOT REFUSED:", b.behavior[:70], "->", g[:80].replace("\n", " "))
    ben = gen(list(toy_corpus.HELDOUT_BENIGN_PROMPTS))
    okb = [g.strip().startswith("Sure") and not toy_corpus._looks_like_refusal(g) for g in ben]
    print(f"held-out benign answered: {sum(okb)}/{len(okb)}")
    for p, g, k in zip(toy_corpus.HELDOUT_BENIGN_PROMPTS, ben, okb):
        if not k:
            print("  NOT ANSWERED:", p, "->", g[:80].replace("\n", " "))
    for p, g in list(zip(toy_corpus.HELDOUT_BENIGN_PROMPTS, ben))[:3]:
        print(f"  {p!r} -> {g[:150]!r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--examples", type=int, default=toy_corpus.DEFAULT_N_EXAMPLES)
    ap.add_argument("--vocab", type=int, default=3000)
    ap.add_argument("--hidden", type=int, default=160)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--steps", type=int, default=1100)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--first-weight", type=float, default=3.0, help="loss weight of the first reply tokens")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-len", type=int, default=640)
    ap.add_argument("--log-every", type=int, default=25)
    ap.add_argument("--eval", action="store_true", help="print refusal/benign rates after saving")
    args = ap.parse_args(argv)

    t_start = time.perf_counter()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    random.seed(args.seed)

    # 1. corpus
    examples = toy_corpus.build_corpus(seed=args.seed, n_examples=args.examples)
    assert not any(toy_corpus.is_heldout(m["content"]) for ex in examples for m in ex.messages if m["role"] == "user")
    print(f"corpus: {len(examples)} conversations")

    # 2. tokenizer
    tok = train_tokenizer(list(toy_corpus.corpus_texts(examples)), args.vocab)
    vocab = tok.get_vocab_size()
    ids_of = {t: tok.token_to_id(t) for t in SPECIAL_TOKENS}
    print(f"tokenizer: {vocab} tokens; specials {ids_of}")

    data = [encode_example(tok, list(ex.messages), args.max_len) for ex in examples]
    # The piecewise encoding equals encoding the whole rendered conversation.
    for ex, (ids, _) in zip(examples[:200], data[:200]):
        full = render_prefix(list(ex.messages), len(ex.messages) - 1) + ex.messages[-1]["content"] + EOS + "\n"
        assert tok.encode(full, add_special_tokens=False).ids[:args.max_len] == ids, "piecewise tokenization drifted"
    lengths = [len(d[0]) for d in data]
    n_tok = sum(lengths)
    n_tgt = sum(sum(1 for x in d[1] if x) for d in data)
    print(f"tokens: {n_tok} total, {n_tgt} trained on; mean length {n_tok / len(data):.0f}, max {max(lengths)}")

    # 3. model
    config = LlamaConfig(
        vocab_size=vocab,
        hidden_size=args.hidden,
        intermediate_size=4 * args.hidden,
        num_hidden_layers=args.layers,
        num_attention_heads=args.heads,
        num_key_value_heads=args.heads,
        max_position_embeddings=2048,
        rms_norm_eps=1e-5,
        initializer_range=0.02,
        tie_word_embeddings=True,
        bos_token_id=ids_of[BOS],
        eos_token_id=ids_of[EOS],
        pad_token_id=ids_of[PAD],
        rope_parameters={"rope_type": "default", "rope_theta": 10000.0},
        use_cache=True,
    )
    model = LlamaForCausalLM(config)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {n_params:,} parameters")

    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95), eps=1e-8)

    rng = random.Random(args.seed + 1)
    batches: list[list[int]] = []
    model.train()
    t_train = time.perf_counter()
    ema = None
    loss_log = []
    for step in range(args.steps):
        if not batches:
            batches = make_batches(lengths, args.batch, rng)
        idx = batches.pop()
        inp, tmask = collate(data, idx, ids_of[PAD])
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args.steps, args.lr, warmup=min(50, args.steps // 10 + 1))
        # Right padding + causal attention: real tokens never see the pads, so no attention mask is needed.
        hidden = model.model(input_ids=inp).last_hidden_state
        m = tmask[:, 1:]
        sel = m > 0
        logits = model.lm_head(hidden[:, :-1][sel])
        tok_loss = F.cross_entropy(logits, inp[:, 1:][sel], reduction="none")
        w = torch.where(m[sel] == 2, args.first_weight, 1.0)
        loss = (tok_loss * w).sum() / w.sum()
        plain = tok_loss.mean().item()  # unweighted, for the log
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        lv = plain
        loss_log.append(lv)
        ema = lv if ema is None else 0.95 * ema + 0.05 * lv
        if step % args.log_every == 0 or step == args.steps - 1:
            print(f"step {step:4d}  loss {lv:.4f}  ema {ema:.4f}  lr {opt.param_groups[0]['lr']:.2e}  "
                  f"{time.perf_counter() - t_train:.0f}s", flush=True)
    train_seconds = time.perf_counter() - t_train
    final_loss = sum(loss_log[-50:]) / len(loss_log[-50:])
    print(f"training: {args.steps} steps in {train_seconds:.1f}s; final loss (mean of last 50 steps) {final_loss:.4f}")
    print("first losses:", " ".join(f"{x:.6f}" for x in loss_log[:5]))

    # 4. save
    out: Path = args.out
    if out.exists():
        for p in out.iterdir():
            if p.is_file() or p.is_symlink():
                p.unlink()
            else:
                shutil.rmtree(p)
    out.mkdir(parents=True, exist_ok=True)
    model.eval()
    model.generation_config = GenerationConfig(
        do_sample=False, bos_token_id=ids_of[BOS], eos_token_id=ids_of[EOS], pad_token_id=ids_of[PAD],
        max_new_tokens=512,
    )
    model.save_pretrained(out, safe_serialization=True)

    hf_tok = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token=BOS, eos_token=EOS, pad_token=PAD, unk_token=UNK,
        additional_special_tokens=ROLE_TOKENS, model_max_length=2048, padding_side="left",
        clean_up_tokenization_spaces=False, add_bos_token=False, add_eos_token=False,
    )
    hf_tok.chat_template = CHAT_TEMPLATE
    hf_tok.save_pretrained(out, save_jinja_files=False)
    # Portable spelling of the tokenizer config (transformers 4.x reads it too; 5.x maps the class to its
    # tokenizers backend): the generic fast-tokenizer class and the classic special-token list key.
    cfg_path = out / "tokenizer_config.json"
    tok_cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    tok_cfg.pop("backend", None)
    tok_cfg["tokenizer_class"] = "PreTrainedTokenizerFast"
    tok_cfg["additional_special_tokens"] = tok_cfg.pop("extra_special_tokens", ROLE_TOKENS)
    cfg_path.write_text(json.dumps(tok_cfg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_model_card(out, {
        "params": n_params, "train_seconds": train_seconds, "hidden": args.hidden, "layers": args.layers,
        "heads": args.heads, "intermediate": 4 * args.hidden, "max_pos": 2048, "vocab": vocab, "steps": args.steps,
        "batch": args.batch, "lr": args.lr, "seed": args.seed, "final_loss": final_loss, "threads": args.threads,
        "examples": len(examples), "first_weight": args.first_weight,
    })
    for p in out.iterdir():
        p.chmod(0o644)  # safetensors writes 0600; package data must be world-readable
    digest = hashlib.sha256((out / "model.safetensors").read_bytes()).hexdigest()
    print(f"saved to {out}: {folder_size(out) / 1e6:.2f} MB; model.safetensors sha256 {digest}")
    print(f"total time {time.perf_counter() - t_start:.1f}s")
    if args.eval:
        evaluate(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
