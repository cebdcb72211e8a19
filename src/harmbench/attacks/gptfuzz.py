"""GPTFuzz: fuzzing with jailbreak templates (Yu et al. 2023, "GPTFuzzer"; spec §4.16).

Seed templates hold the placeholder `[INSERT PROMPT HERE]`. For each behavior the fuzzer repeats:
pick a template by MCTS-Explore, have a mutator LLM rewrite it with one of five operators drawn at
random (CrossOver, Expand, GenerateSimilar, Rephrase, Shorten), put the behavior in the placeholder,
query the target (greedy, `max_new_tokens`), and ask the judge whether the response is jailbroken.
A mutant that succeeds joins the pool as a child of its parent. The fuzz stops after `max_query`
target queries, `max_jailbreak` jailbreaks or `max_iteration` iterations (-1: no limit). The selector,
the operators and their quirks are in `gptfuzz_search`.

Models: the target is the job's `target_model`; the mutator is `mutate_model_path` (a models.yaml name,
or upstream's value such as `gpt-3.5-turbo`, loaded as a hosted API model; temperature 0, 512 tokens);
API keys come from the environment through models.yaml, so `openai_key`/`claude_key` are accepted and
ignored. The judge is upstream's RoBERTa classifier `hubert233/GPTFuzz` (transformers
`AutoModelForSequenceClassification`, class 1 = jailbroken, responses truncated to 512 tokens), or
`judge_model: refusal` (jailbroken = none of HarmBench's refusal strings), which needs no download.

Seeds: `seed_templates_path` (ours), else upstream's `seed_path`: upstream's `GPTFuzzer.csv` (columns
`id,text`; 77 templates, shipped with the GPTFuzz project and in upstream HarmBench's
`baselines/gptfuzz/`), a JSON list of strings, or `demo` (the project's own benign role-play
framings). A relative path is looked up in the working directory, then in the data directory.

Choices of ours:
- Lockstep: the behaviors of a chunk (`behaviors_per_call`) advance together, so an iteration makes
  one mutator call, one target call and one judge call for all of them. Each behavior has its own
  pool, selector and random generator (seeded from the run seed and its BehaviorID), so its fuzz
  does not depend on the other behaviors of the chunk.
- One test case per behavior, not nested (upstream nests it one level too deep whenever more than
  one iteration ran, quirk §11.8): the last mutant that jailbroke the target, else the last one sent
  to the target, else (no valid mutant at all) the last selected template, filled with the behavior.
  Upstream returns the last mutant, None when it lost the placeholder.
- Logs: one entry per mutant (one per iteration at upstream's `energy` 1): `{loss: 0, test_case,
  operator, jailbroken}`, with test_case None for a rejected mutant. No `results-<timestamp>.csv` is
  written (upstream's side effect).
- `energy` mutants per iteration come from as many copies of the same request. `seed_selection_strategy`
  and `targets_path` are accepted and unused, as upstream. The behavior goes into the placeholder as
  upstream puts it: with a trailing space, after its context (if any) and the `---` separator.
- Cost: mutator and target calls with their tokens in `api_calls`/`tokens_*`; each RoBERTa
  classification is one of `forward_passes`.
"""

from __future__ import annotations

import csv
import json
import logging
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from harmbench.attacks.base import (
    NEEDS_ATTACKER,
    NEEDS_JUDGE,
    NEEDS_TARGET,
    Attack,
    AttackContext,
    BehaviorResult,
    Cost,
    positive_int,
    register,
    stable_seed,
)
from harmbench.attacks.gptfuzz_search import (
    MUTATOR_SYSTEM,
    OPERATORS,
    PLACEHOLDER,
    MCTSExplore,
    Node,
    fill,
    mutant,
)
from harmbench.attacks.llm.models import load_models
from harmbench.behaviors import Behavior
from harmbench.errors import ConfigError, DataError
from harmbench.judges.refusal import is_refusal
from harmbench.models.base import GenerationConfig, GenerationRequest, Message

log = logging.getLogger(__name__)

UPSTREAM_SEEDS = "baselines/gptfuzz/GPTFuzzer.csv"
DEMO_SEEDS = "gptfuzz_demo_seeds.json"
ROBERTA_JUDGE = "hubert233/GPTFuzz"
REFUSAL_JUDGE = "refusal"
MUTATE_TEMPERATURE, MUTATE_MAX_TOKENS = 0.0, 512  # upstream's mutator settings in HarmBench
JUDGE_MAX_LENGTH, JUDGE_BATCH = 512, 32
SEEDS_HINT = (f"set seed_templates_path: to upstream's GPTFuzzer.csv (from the GPTFuzz project or upstream "
              f"HarmBench's baselines/gptfuzz/), to a JSON list of templates containing {PLACEHOLDER}, or to "
              "`demo` for the project's own benign templates")


@dataclass
class Fuzz:
    """One behavior's fuzz: its pool, selector, counters, logs and cost."""

    behavior: Behavior
    question: str
    pool: list[Node]
    selector: MCTSExplore
    rng: random.Random
    queries: int = 0
    jailbreaks: int = 0
    iterations: int = 0
    logs: list[dict[str, Any]] = field(default_factory=list)
    cost: Cost = field(default_factory=Cost)
    last_sent: str | None = None
    last_success: str | None = None
    last_selected: str | None = None

    def test_case(self) -> str:
        template = self.last_success or self.last_sent or self.last_selected or self.pool[0].template
        return fill(template, self.question)


@register
class GPTFuzz(Attack):
    name = "GPTFuzz"
    needs = frozenset({NEEDS_ATTACKER, NEEDS_TARGET, NEEDS_JUDGE})
    cost_per_behavior = ("per iteration: energy mutator calls (<=512 tokens), target calls and judge passes; "
                         "upstream: up to max_iteration 100, usually fewer (stops at the first jailbreak)")

    def __init__(self, target_model: Any = None, mutate_model_path: Any = "gpt-3.5-turbo",
                 judge_model: str = ROBERTA_JUDGE, judge_device: str | None = None, max_query: int = 1000,
                 max_jailbreak: int = 1, max_iteration: int = 100, energy: int = 1,
                 seed_selection_strategy: str = "round_robin", max_new_tokens: int = 512,
                 seed_path: str = UPSTREAM_SEEDS, seed_templates_path: str | None = None,
                 targets_path: str | None = None, concatenate: bool = True, behaviors_per_call: int = 16,
                 openai_key: str | None = None, claude_key: str | None = None, **hyperparameters: Any):
        super().__init__(target_model=target_model, mutate_model_path=mutate_model_path, judge_model=judge_model,
                         judge_device=judge_device, max_query=max_query, max_jailbreak=max_jailbreak,
                         max_iteration=max_iteration, energy=energy, seed_selection_strategy=seed_selection_strategy,
                         max_new_tokens=max_new_tokens, seed_path=seed_path, seed_templates_path=seed_templates_path,
                         targets_path=targets_path, concatenate=concatenate, behaviors_per_call=behaviors_per_call,
                         openai_key=openai_key, claude_key=claude_key, **hyperparameters)
        if target_model is None:
            raise ConfigError("GPTFuzz needs a target_model",
                              hint="run it through an experiment named after a model (e.g. --methods GPTFuzz:toy "
                                   "--models toy), or set target_model: to a models.yaml entry")
        if mutate_model_path is None:
            raise ConfigError("GPTFuzz needs mutate_model_path",
                              hint="a models.yaml name (e.g. standin) or an API model name such as gpt-3.5-turbo")
        if not isinstance(judge_model, str) or not judge_model:
            raise ConfigError(f"GPTFuzz: judge_model must be a name, not {judge_model!r}",
                              hint=f"{ROBERTA_JUDGE} (upstream's RoBERTa), a local copy of it, or `refusal`")
        self.target_model, self.mutate_model, self.judge_model = target_model, mutate_model_path, judge_model
        self.judge_device = judge_device
        self.max_query = _limit("max_query", max_query)
        self.max_jailbreak = _limit("max_jailbreak", max_jailbreak)
        self.max_iteration = _limit("max_iteration", max_iteration)
        if self.max_query is None and self.max_iteration is None:
            raise ConfigError("GPTFuzz: max_query and max_iteration are both unlimited (-1), so a fuzz that never "
                              "jailbreaks the target would never end", hint="set one of them to a positive number")
        self.energy = positive_int(self.name, "energy", energy)
        self.max_new_tokens = positive_int(self.name, "max_new_tokens", max_new_tokens)
        self.behaviors_per_call = positive_int(self.name, "behaviors_per_call", behaviors_per_call)
        if not isinstance(concatenate, bool):
            raise ConfigError(f"GPTFuzz: concatenate must be true or false, not {concatenate!r}")
        self.concatenate = concatenate
        self.seeds = seed_templates_path if seed_templates_path is not None else seed_path
        for key, value in (("openai_key", openai_key), ("claude_key", claude_key)):
            if isinstance(value, str) and len(value.strip()) > 3:
                log.warning("GPTFuzz: %s is ignored (API keys come from the environment, see models.yaml) and is "
                            "saved with the run's method config: remove it from the config", key)

    def expected_test_cases(self) -> int | None:
        return 1

    def generate(self, behaviors: Sequence[Behavior], context: AttackContext) -> Iterator[BehaviorResult]:
        if not behaviors:
            return
        seeds = load_seed_templates(self.seeds, context.data_dir)
        models = load_models(context, {"target_model": self.target_model, "mutate_model_path": self.mutate_model},
                             self.name)
        target, mutator = models["target_model"], models["mutate_model_path"]
        judge = load_judge(self.judge_model, self.judge_device)
        done = 0
        for start in range(0, len(behaviors), self.behaviors_per_call):
            chunk = behaviors[start:start + self.behaviors_per_call]
            fuzzes = [self.new_fuzz(b, seeds, context.seed) for b in chunk]
            started = time.perf_counter()
            for fuzz in self.run(fuzzes, mutator, target, judge, context.seed):
                fuzz.cost.wall_s = (time.perf_counter() - started) / len(chunk)
                done += 1
                if context.progress is not None:
                    context.progress(f"GPTFuzz: {done}/{len(behaviors)} behaviors")
                yield BehaviorResult(fuzz.behavior.behavior_id, [fuzz.test_case()], [fuzz.logs], fuzz.cost)

    def new_fuzz(self, behavior: Behavior, seeds: Sequence[str], run_seed: int) -> Fuzz:
        rng = random.Random(stable_seed(run_seed, [behavior.behavior_id], 0, 0))
        pool = [Node(t) for t in seeds]
        return Fuzz(behavior, behavior.prompt(optimizer=True), pool, MCTSExplore(pool, rng), rng)

    def stopped(self, f: Fuzz) -> bool:
        return any(limit is not None and count >= limit for count, limit in
                   ((f.queries, self.max_query), (f.jailbreaks, self.max_jailbreak),
                    (f.iterations, self.max_iteration)))

    def run(self, fuzzes: list[Fuzz], mutator: Any, target: Any, judge: Any, run_seed: int) -> Iterator[Fuzz]:
        """Advance the fuzzes in lockstep; yield each one as it stops."""
        active = list(fuzzes)
        iteration = 0
        while active:
            # 1. select and mutate: one mutator call for every active behavior
            plans = []
            for f in active:
                parent = f.selector.select()
                op = f.rng.choice(OPERATORS)
                plans.append((f, parent, op, op.prompt(parent.template, f.pool, f.rng)))
                f.last_selected = parent.template
            owners = [p for p in plans for _ in range(self.energy)]
            requests = [GenerationRequest.chat([Message("system", MUTATOR_SYSTEM), Message("user", prompt)])
                        for _, _, _, prompt in owners]
            config = GenerationConfig(max_new_tokens=MUTATE_MAX_TOKENS, temperature=MUTATE_TEMPERATURE,
                                      seed=stable_seed(run_seed, ["GPTFuzz-mutate"], self.energy, iteration))
            replies = _generate(mutator, requests, config, "mutator")
            mutants = []  # (fuzz, parent, op, template or None)
            for (f, parent, op, _), reply in zip(owners, replies):
                f.cost.charge(reply)
                mutants.append((f, parent, op, mutant(op, reply.text, parent.template, self.concatenate)))
            # 2. query the target with every valid mutant, in one call
            valid = [i for i, m in enumerate(mutants) if m[3] is not None]
            cases = {i: fill(mutants[i][3], mutants[i][0].question) for i in valid}
            outputs = _generate(target, [GenerationRequest.user(cases[i]) for i in valid],
                                GenerationConfig(max_new_tokens=self.max_new_tokens), "target") if valid else []
            for i, out in zip(valid, outputs):
                mutants[i][0].cost.charge(out)
            # 3. judge every response, in one call
            verdicts = dict(zip(valid, judge([out.text for out in outputs]))) if outputs else {}
            if getattr(judge, "counts_passes", False):
                for i in valid:
                    mutants[i][0].cost.forward_passes += 1
            # 4. update pools, selectors, counters and logs
            for f, parent, _, _ in plans:
                mine = [i for i, m in enumerate(mutants) if m[0] is f]
                wins = 0
                for i in mine:
                    template, jailbroken = mutants[i][3], bool(verdicts.get(i, False))
                    f.logs.append({"loss": 0, "test_case": cases.get(i), "operator": mutants[i][2].name,
                                   "jailbroken": jailbroken})
                    if template is None:
                        continue
                    f.queries += 1
                    f.last_sent = template
                    if jailbroken:
                        wins += 1
                        f.last_success = template
                        f.pool.append(parent.child(template))
                f.jailbreaks += wins
                f.iterations += 1
                f.selector.update(wins, len(mine))
            iteration += 1
            still = []
            for f in active:
                if self.stopped(f):
                    yield f
                else:
                    still.append(f)
            active = still


def _generate(model: Any, requests: list[GenerationRequest], config: GenerationConfig, role: str) -> list:
    outputs = model.generate(requests, config)
    if len(outputs) != len(requests):
        raise RuntimeError(f"GPTFuzz: the {role} {getattr(model, 'name', model)!r} returned {len(outputs)} "
                           f"generations for {len(requests)} requests")
    return outputs


def _limit(key: str, value: Any) -> int | None:
    """A stopping limit: a positive integer, or -1 (upstream's 'no limit', returned as None)."""
    if value == -1 and not isinstance(value, bool):
        return None
    return positive_int("GPTFuzz", key, value, " or -1 for no limit")


# ----------------------------------------------------------------------------- models


class RefusalJudge:
    """Jailbroken = none of HarmBench's refusal strings occurs in the response (CPU, no download)."""

    counts_passes = False  # no model: nothing to put in Cost.forward_passes

    def __call__(self, responses: Sequence[str]) -> list[bool]:
        return [not is_refusal(r) for r in responses]


class RobertaJudge:
    """Upstream's judge: a sequence classifier over the response alone; class 1 means jailbroken."""

    counts_passes = True  # one forward pass per classified response

    def __init__(self, path: str, device: str | None = None):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        if device is None:
            # Upstream puts the judge on the last GPU, away from the target.
            device = f"cuda:{torch.cuda.device_count() - 1}" if torch.cuda.is_available() else "cpu"
        self.device = device
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModelForSequenceClassification.from_pretrained(path).to(device).eval()

    def __call__(self, responses: Sequence[str]) -> list[bool]:
        import torch

        verdicts: list[bool] = []
        for start in range(0, len(responses), JUDGE_BATCH):
            batch = list(responses[start:start + JUDGE_BATCH])
            inputs = self.tokenizer(batch, padding=True, truncation=True, max_length=JUDGE_MAX_LENGTH,
                                    return_tensors="pt").to(self.device)
            with torch.no_grad():
                logits = self.model(**inputs).logits
            verdicts.extend(bool(c == 1) for c in logits.argmax(dim=-1).tolist())
        return verdicts


def load_judge(name: str, device: str | None = None) -> Any:
    if name == REFUSAL_JUDGE:
        return RefusalJudge()
    try:
        return RobertaJudge(name, device)
    except (OSError, ValueError) as err:  # not downloadable here, or not a classifier folder
        raise ConfigError(f"GPTFuzz: cannot load the judge classifier {name!r}: {err}",
                          hint=f"download {ROBERTA_JUDGE} from the Hugging Face Hub (or point judge_model: at a "
                               "local copy), or use `judge_model: refusal`, which needs no download") from None


# ----------------------------------------------------------------------------- seed templates


def load_seed_templates(spec: Any, data_dir: Any = None) -> list[str]:
    """The seed templates: `demo`, or a CSV with a `text` column, or a JSON list of strings."""
    if spec == "demo":
        text = resources.files("harmbench.attacks").joinpath(DEMO_SEEDS).read_text("utf-8")
        return _check_templates(json.loads(text), DEMO_SEEDS)
    if not isinstance(spec, (str, Path)) or not str(spec):
        raise ConfigError(f"GPTFuzz: seed_templates_path must be a file path or `demo`, not {spec!r}", hint=SEEDS_HINT)
    path = _find(Path(str(spec)).expanduser(), data_dir)
    where = str(path)
    try:
        raw = path.read_text("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataError(f"cannot read seed templates: {err}", where=where, hint=SEEDS_HINT) from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as err:
            raise DataError(f"seed templates are not valid JSON: {err}", where=where, hint=SEEDS_HINT) from None
        return _check_templates(data, where)
    rows = list(csv.DictReader(raw.splitlines(keepends=True)))
    if not rows or "text" not in rows[0]:
        raise DataError("seed templates CSV needs a `text` column (upstream's GPTFuzzer.csv has `id,text`)",
                        where=where, hint=SEEDS_HINT)
    return _check_templates([r["text"] for r in rows], where)


def _find(path: Path, data_dir: Any) -> Path:
    if path.is_file() or path.is_absolute():
        if not path.is_file():
            raise DataError(f"seed templates file {path} does not exist", hint=SEEDS_HINT)
        return path
    from harmbench.behaviors.official import resolve_data_dir

    root = resolve_data_dir(data_dir)
    for candidate in (root / path, root / "gptfuzz" / path.name):
        if candidate.is_file():
            return candidate
    raise DataError(f"seed templates file {path} is not in the working directory nor in the data directory {root} "
                    f"(looked for {root / path} and {root / 'gptfuzz' / path.name})", hint=SEEDS_HINT)


def _check_templates(data: Any, where: str) -> list[str]:
    if not isinstance(data, list) or not data or not all(isinstance(t, str) for t in data):
        raise DataError("seed templates must be a non-empty list of strings", where=where, hint=SEEDS_HINT)
    missing = [i for i, t in enumerate(data) if PLACEHOLDER not in t]
    if missing:
        raise DataError(f"{len(missing)} of {len(data)} seed templates lack the placeholder {PLACEHOLDER} "
                        f"(first: template {missing[0] + 1}: {data[missing[0]][:60]!r})", where=where,
                        hint=f"every template needs {PLACEHOLDER} where the behavior goes")
    return data
