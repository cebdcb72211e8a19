"""AutoDAN (Liu et al. 2023): a genetic search over role-play prompt prefixes (spec §4.12).

A population of `batch_size` prompts (the project's "Developer Mode" role-play templates,
`autodan_templates`, with the target's `model_short_name` / `developer_name` filled in and
" [PROMPT]: " appended) is scored on the white-box target: the fitness of a prefix is the mean
cross-entropy of "(🔓Developer Mode Output) " + the behavior's optimizer target after
`prefix + behavior` (context-prefixed) in the target's chat format. Each step the best prefix
gives the test case; every `eval_steps` steps and at the last, the target answers it (upstream's
32-token refusal check, `eval_with_check_refusal`) and the search stops once it does not refuse;
it also stops when the best loss has not improved for 10 steps. Then the next generation is bred
(`autodan_genetic`): AutoDAN-GA (HarmBench's method) keeps `int(batch_size*num_elites)` elites
and fills the rest by roulette wheel, crossover and LLM mutation; with `hga: true`, AutoDAN-HGA
(the paper's hierarchical variant) breeds by that paragraph-level GA every `iter` steps and by
momentum-scored synonym replacement (plus LLM mutation) in between.

The mutation LLM (`mutate_model`, loaded with `load_models`) gets every mutation of a generation in
one `generate` call (temperature 1, up to 1400 tokens, seeded). A local model has its reply
prefilled with the passage's first two words, as upstream; an API model gets the plain chat.

Choices of ours:
- Quirk 11 fixed: upstream scores candidates without BOS, left-padded and with no attention mask,
  so the padding is attended to and shifts positions. We score exactly the tokens the target sees
  at completion time (the chat-formatted prompt with special tokens, as `HFTarget.encode` makes
  them) followed by the target, right-padded: a causal model never attends to right padding, so
  every loss equals that of the unpadded sequence. Candidates are sorted by length before
  batching to waste little on padding.
- Logs pair each step's loss with that step's own best test case (upstream logs the previous
  step's test case next to the current loss, starting with the bare behavior).
- The mutator revises the prefix without its " [PROMPT]: " marker, which is put back, so the
  behavior always follows the marker; an empty revision keeps the original.
- No breeding after the last step (upstream breeds once more and discards it).
- `reference_templates_path` (a JSON list of strings, e.g. upstream's 128) replaces the built-in
  templates; `synonyms_path` (JSON word -> [synonyms]) replaces HGA's built-in synonym table
  (the paper uses WordNet, which is not available offline).
- Costs: `forward_passes` counts candidate sequences scored; each mutator call is charged
  (`api_calls`, tokens). The refusal checks (one 32-token generation each) are not charged, as for GCG.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from harmbench.attacks.autodan_genetic import breed_ga, breed_hga, pick_for_mutation
from harmbench.attacks.autodan_templates import (
    MUTATION_PROMPT,
    PROMPT_MARKER,
    TARGET_PREFIX,
    fill,
    load_synonyms,
    load_templates,
)
from harmbench.attacks.base import (
    NEEDS_ATTACKER,
    NEEDS_WHITEBOX,
    Attack,
    AttackContext,
    BehaviorResult,
    Cost,
    register,
    stable_seed,
)
from harmbench.attacks.llm.chat import is_local
from harmbench.attacks.llm.models import load_models
from harmbench.attacks.llm.parsing import strip_quotes
from harmbench.attacks.optim.base import (
    custom_targets,
    positive_int,
    target_for,
    whitebox_of,
)
from harmbench.attacks.optim.refusal_check import check_refusal
from harmbench.behaviors import Behavior
from harmbench.errors import ConfigError
from harmbench.models.base import GenerationConfig, GenerationRequest, Message

PATIENCE = 10  # steps without a lower best loss before the search gives up (upstream's constant)
MUTATION_MAX_TOKENS = 1400
MUTATION_TEMPERATURE = 1.0
NAME_KEYS = ("model_short_name", "developer_name")


def search(population: list[str], losses_of: Callable[[list[str]], list[float]],
           breed: Callable[[int, list[str], list[float]], list[str]], compose: Callable[[str], str],
           refuses: Callable[[str], bool] | None, num_steps: int, eval_steps: int,
           patience: int = PATIENCE) -> tuple[str, list[dict[str, Any]]]:
    """The AutoDAN loop: (last step's test case, logs [{loss, test_case}] per step)."""
    logs: list[dict[str, Any]] = []
    best, stale, test_case = math.inf, 0, compose(population[0])
    for step in range(num_steps):
        losses = losses_of(population)
        i = min(range(len(losses)), key=losses.__getitem__)
        loss, test_case = float(losses[i]), compose(population[i])
        logs.append({"loss": loss, "test_case": test_case})
        last = step == num_steps - 1
        if refuses is not None and (step % eval_steps == 0 or last) and not refuses(test_case):
            break
        best, stale = (loss, 0) if loss < best else (best, stale + 1)
        if stale >= patience or last:
            break
        population = breed(step, population, losses)
    return test_case, logs


class PrefixScorer:
    """Fitness on the white-box target: mean target cross-entropy after each chat-formatted prompt."""

    def __init__(self, target: Any, wb: Any, target_text: str, batch_size: int | None = None):
        self.target, self.wb, self.batch_size = target, wb, batch_size
        self.target_ids = wb.encode(target_text)[0].tolist()
        self.sequences = 0  # sequences scored, for Cost.forward_passes

    def prompt_ids(self, test_case: str) -> list[int]:
        return self.target.encode(self.target.format(GenerationRequest.user(test_case)))

    def __call__(self, test_cases: Sequence[str]) -> list[float]:
        losses = self.wb.losses_after([self.prompt_ids(t) for t in test_cases], self.target_ids, self.batch_size)
        self.sequences += len(test_cases)
        return losses


@register
class AutoDAN(Attack):
    name = "AutoDAN"
    needs = frozenset({NEEDS_WHITEBOX, NEEDS_ATTACKER})
    cost_per_behavior = ("<= num_steps x batch_size candidate forward passes, ~mutation x batch_size mutator "
                         "generations (<=1400 tokens) per step, a 32-token refusal check every eval_steps")

    def __init__(self, target_model: Any = None, mutate_model: Any = None, targets_path: str | None = None,
                 num_steps: int = 100, eval_steps: int = 5, eval_with_check_refusal: bool = True,
                 batch_size: int = 128, num_elites: float = 0.1, crossover: float = 0.5, num_points: int = 5,
                 mutation: float = 0.01, forward_batch_size: int | None = None, num_test_cases_per_behavior: int = 1,
                 hga: bool = False, iter: int = 5, reference_templates_path: str | None = None,
                 synonyms_path: str | None = None, **hyperparameters: Any):
        super().__init__(target_model=target_model, mutate_model=mutate_model, targets_path=targets_path,
                         num_steps=num_steps, eval_steps=eval_steps, eval_with_check_refusal=eval_with_check_refusal,
                         batch_size=batch_size, num_elites=num_elites, crossover=crossover, num_points=num_points,
                         mutation=mutation, forward_batch_size=forward_batch_size,
                         num_test_cases_per_behavior=num_test_cases_per_behavior, hga=hga, iter=iter,
                         reference_templates_path=reference_templates_path, synonyms_path=synonyms_path,
                         **hyperparameters)
        self.target_spec, self.names = self._split_target(target_model, hyperparameters)
        if mutate_model is None:
            raise ConfigError("AutoDAN needs a mutate_model (the LLM that rewrites prompts)",
                              hint="set mutate_model: to a models.yaml name (standin on a CPU) or a loader dict")
        self.mutate_model = mutate_model
        self.targets_path = targets_path
        for key, value in (("num_steps", num_steps), ("eval_steps", eval_steps), ("batch_size", batch_size),
                           ("num_points", num_points), ("iter", iter),
                           ("num_test_cases_per_behavior", num_test_cases_per_behavior)):
            positive_int(self.name, key, value)
        self.num_steps, self.eval_steps, self.batch_size, self.num_points = num_steps, eval_steps, batch_size, num_points
        self.hga_iter, self.num_test_cases_per_behavior = iter, num_test_cases_per_behavior
        self.forward_batch_size = (None if forward_batch_size is None
                                   else positive_int(self.name, "forward_batch_size", forward_batch_size))
        self.num_elites = _fraction("num_elites", num_elites, below_one=True)
        self.crossover, self.mutation = _fraction("crossover", crossover), _fraction("mutation", mutation)
        for key, value in (("hga", hga), ("eval_with_check_refusal", eval_with_check_refusal)):
            if not isinstance(value, bool):
                raise ConfigError(f"AutoDAN: {key} must be true or false, not {value!r}")
        self.eval_with_check_refusal, self.hga = eval_with_check_refusal, hga
        self.templates = load_templates(reference_templates_path)
        if batch_size > len(self.templates):
            raise ConfigError(f"AutoDAN: batch_size {batch_size} is more than the {len(self.templates)} reference "
                              "templates that seed the population",
                              hint="lower batch_size, or give more templates with reference_templates_path")
        self.synonyms = load_synonyms(synonyms_path)

    @staticmethod
    def _split_target(target_model: Any, hyperparameters: dict) -> tuple[Any, dict[str, str]]:
        """(what to load, {model_short_name, developer_name}): the names sit in target_model (upstream)
        or, with a models.yaml name as target_model, next to it; they are not loader keys."""
        if target_model is None:
            raise ConfigError("AutoDAN needs a target_model",
                              hint="run an experiment named after a model (e.g. --methods AutoDAN:toy --models toy)")
        spec = dict(target_model) if isinstance(target_model, dict) else target_model
        names = {}
        for key in NAME_KEYS:
            value = spec.pop(key, None) if isinstance(spec, dict) else None
            names[key] = value if value is not None else hyperparameters.get(key)
        missing = [k for k, v in names.items() if not isinstance(v, str) or not v.strip()]
        if missing:
            raise ConfigError(f"AutoDAN: target_model lacks {' and '.join(missing)}",
                              hint="the prompts name the target: add e.g. model_short_name: Vicuna and "
                                   "developer_name: LMSYS under target_model")
        return spec, names

    def expected_test_cases(self) -> int | None:
        return self.num_test_cases_per_behavior

    def population(self) -> list[str]:
        return [fill(t, self.names["model_short_name"], self.names["developer_name"])
                for t in self.templates[:self.batch_size]]

    def excluded_words(self) -> list[str]:
        """Words HGA never scores or swaps: the target's names and the prompt marker."""
        return [*" ".join(self.names.values()).split(), "prompt"]

    # -- the run

    def generate(self, behaviors: Sequence[Behavior], context: AttackContext) -> Iterator[BehaviorResult]:
        if not behaviors:
            return
        custom = custom_targets(self.targets_path, context.data_dir)
        models = load_models(context, {"mutate_model": self.mutate_model, "target_model": self.target_spec},
                             self.name)  # the mutator first, as upstream
        mutator, target = models["mutate_model"], models["target_model"]
        wb = whitebox_of(target, self.name, hint="use an open-weight model with the hf backend")
        for done, behavior in enumerate(behaviors, 1):
            target_text = TARGET_PREFIX + target_for(self.name, behavior, custom, self.targets_path)
            start = time.perf_counter()
            cost, cases, logs = Cost(), [], []
            for call in range(self.num_test_cases_per_behavior):
                scorer = PrefixScorer(target, wb, target_text, self.forward_batch_size)
                case, log = self.run_one(behavior, call, scorer, mutator, target, context.seed, cost)
                cases.append(case)
                logs.append(log)
                cost.forward_passes += scorer.sequences
            cost.wall_s = time.perf_counter() - start
            if context.progress is not None:
                context.progress(f"AutoDAN: {done}/{len(behaviors)} behaviors")
            yield BehaviorResult(behavior.behavior_id, cases, logs, cost)

    def run_one(self, behavior: Behavior, call: int, losses_of: Callable[[list[str]], list[float]], mutator: Any,
                target: Any, run_seed: int, cost: Cost) -> tuple[str, list[dict[str, Any]]]:
        """One genetic search for `behavior` (call k of it: its own seeds)."""
        request = behavior.prompt()  # context-prefixed, no trailing space (upstream's AutoDAN)
        rng = random.Random(stable_seed(run_seed, [behavior.behavior_id], call, 0))
        word_scores: dict[str, float] = {}
        n_elites = int(self.batch_size * self.num_elites)

        def breed(step: int, population: list[str], losses: list[float]) -> list[str]:
            nonlocal word_scores
            if self.hga and step % self.hga_iter != 0:
                elites, offspring, word_scores = breed_hga(population, losses, n_elites, word_scores,
                                                           self.synonyms, rng, self.excluded_words())
            else:
                elites, offspring = breed_ga(population, losses, n_elites, self.crossover, self.num_points, rng)
            chosen = pick_for_mutation(len(offspring), self.mutation, rng)
            if chosen:
                seed = stable_seed(run_seed, [behavior.behavior_id], call, step + 1)
                for i, text in zip(chosen, mutate(mutator, [offspring[i] for i in chosen], seed, cost)):
                    offspring[i] = text
            return elites + offspring

        refuses = (lambda case: check_refusal(target, [case])[0]) if self.eval_with_check_refusal else None
        return search(self.population(), losses_of, breed, lambda prefix: prefix + request, refuses,
                      self.num_steps, self.eval_steps)


def mutate(mutator: Any, prefixes: Sequence[str], seed: int | None, cost: Cost | None = None) -> list[str]:
    """Each prefix revised by the mutation LLM, all in one `generate` call."""
    bodies = [p.removesuffix(PROMPT_MARKER) for p in prefixes]
    local = is_local(mutator)
    requests, prefills = [], []
    for body in bodies:
        chat = GenerationRequest.chat([Message("user", MUTATION_PROMPT.format(passage=body))])
        prefill = " ".join(body.split()[:2]) if local else ""
        prefills.append(prefill)
        requests.append(GenerationRequest.raw(mutator.format(chat) + prefill) if local else chat)
    outputs = mutator.generate(requests, GenerationConfig(max_new_tokens=MUTATION_MAX_TOKENS,
                                                          temperature=MUTATION_TEMPERATURE, seed=seed))
    revised = []
    for prefix, body, prefill, out in zip(prefixes, bodies, prefills, outputs):
        if cost is not None:
            cost.charge(out)
        text = _join(prefill, strip_quotes(out.text).strip())
        revised.append((text if text.strip() else body) + prefix[len(body):])
    return revised


def _join(prefill: str, text: str) -> str:
    """The prefilled words and the model's continuation (which `generate` returns stripped)."""
    if not text or not prefill:
        return text  # an empty continuation is an empty revision, not the two prefilled words
    return prefill + ("" if text[0] in ",.;:!?" else " ") + text


def _fraction(key: str, value: Any, below_one: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1 \
            or (below_one and value == 1):
        hint = "a fraction of batch_size, e.g. 0.1" if key == "num_elites" else "a probability, e.g. 0.5"
        raise ConfigError(f"AutoDAN: {key} must be a number from 0 to {'below ' if below_one else ''}1, "
                          f"not {value!r}", hint=hint)
    return float(value)
