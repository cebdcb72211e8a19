"""AutoDAN's genetic operators, on plain strings and a seeded `random.Random` (no model here).

Paragraph level (AutoDAN-GA, what HarmBench runs; spec §4.12): keep the elites, fill the rest of
the next generation by roulette-wheel sampling with probabilities softmax(-loss), cross pairs over
sentence by sentence, and mark some offspring for the mutation LLM.

Sentence level (AutoDAN-HGA, the AutoDAN paper's hierarchical variant): a momentum word score,
each word's mean fitness (-loss) over the prompts that contain it averaged with its previous
score, steers synonym replacement in the non-elite prompts.

Choices of ours where upstream has a quirk or is silent:
- Crossover draws its swap points from every interior sentence boundary of the shorter parent
  (upstream's draw leaves out the last one and fails when a parent has few sentences).
- Mutation indices are kept, so two identical offspring can both be mutated (upstream finds the
  mutated text's slot with `list.index`, which hands both results to the first copy).
- HGA visits the replaceable words of a paragraph in random order (upstream: reading order, so
  only the first few ever change), lets the roulette keep the word itself, and rejoins the text
  around the replaced words, so spacing and line breaks survive.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable, Sequence

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
MAX_REPLACEMENTS_PER_PARAGRAPH = 5  # upstream's cap on HGA word swaps per paragraph
STOPWORDS = frozenset(
    "a an the and or but if then than so to of in on at by for with from into as is are was were be been being "
    "it its this that these those you your yours i me my we our us they them their he she his her not no do "
    "does did will would can could should may might must have has had which who whom what when where while "
    "each every all any both either there here until instead about".split())


# ---------------------------------------------------------------- paragraph level (GA)


def split_sentences(text: str) -> list[str]:
    """Sentences, split after . ! or ? followed by white space (upstream's rule)."""
    return [s for s in _SENTENCE_END.split(text) if s]


def crossover(a: str, b: str, num_points: int, rng: random.Random) -> tuple[str, str]:
    """Two children of parents `a` and `b`: both are cut at up to `num_points` sentence boundaries
    (positions within the shorter parent), and each segment goes to child 1 from one parent at
    random and to child 2 from the other. The tail runs to each parent's own end."""
    sa, sb = split_sentences(a), split_sentences(b)
    shortest = min(len(sa), len(sb))
    points = sorted(rng.sample(range(1, shortest), min(num_points, max(0, shortest - 1)))) if shortest > 1 else []
    one: list[str] = []
    two: list[str] = []
    for start, end in zip([0, *points], [*points, None]):
        seg_a, seg_b = sa[start:end], sb[start:end]
        if rng.random() < 0.5:
            seg_a, seg_b = seg_b, seg_a
        one.extend(seg_a)
        two.extend(seg_b)
    return " ".join(one), " ".join(two)


def selection_probabilities(losses: Sequence[float]) -> list[float]:
    """softmax(-loss): lower loss, likelier parent."""
    low = min(losses)
    weights = [math.exp(low - x) for x in losses]
    total = sum(weights)
    return [w / total for w in weights]


def roulette(population: Sequence[str], losses: Sequence[float], k: int, rng: random.Random) -> list[str]:
    """`k` parents drawn with replacement, with `selection_probabilities`."""
    return rng.choices(list(population), weights=selection_probabilities(losses), k=k)


def ranked(population: Sequence[str], losses: Sequence[float]) -> list[str]:
    """The population from the lowest loss up (ties keep their order)."""
    return [population[i] for i in sorted(range(len(population)), key=lambda i: losses[i])]


def breed_ga(population: Sequence[str], losses: Sequence[float], n_elites: int, crossover_rate: float,
             num_points: int, rng: random.Random) -> tuple[list[str], list[str]]:
    """(elites, offspring) with len(elites) + len(offspring) == len(population)."""
    elites = ranked(population, losses)[:n_elites]
    parents = roulette(population, losses, len(population) - n_elites, rng)
    offspring: list[str] = []
    for i in range(0, len(parents), 2):
        a = parents[i]
        b = parents[i + 1] if i + 1 < len(parents) else parents[0]  # an odd one out pairs with the first
        offspring.extend(crossover(a, b, num_points, rng) if rng.random() < crossover_rate else (a, b))
    return elites, offspring[:len(parents)]


def pick_for_mutation(n: int, rate: float, rng: random.Random) -> list[int]:
    """Indices of the offspring the mutation LLM revises, each chosen with probability `rate`."""
    return [i for i in range(n) if rng.random() < rate]


# ---------------------------------------------------------------- sentence level (HGA)


def content_words(text: str, excluded: Iterable[str] = ()) -> set[str]:
    """Lower-cased words that carry meaning (no stop words, no `excluded` such as model names)."""
    skip = STOPWORDS | {w.lower() for w in excluded}
    return {w.lower() for w in _WORD.findall(text)} - skip


def update_word_scores(scores: dict[str, float], population: Sequence[str], losses: Sequence[float],
                       excluded: Iterable[str] = ()) -> dict[str, float]:
    """Momentum word scores: a word's fitness now is the mean -loss of the prompts holding it; a
    word seen before gets the average of that and its previous score. Returns a new dict."""
    excluded = list(excluded)
    found: dict[str, list[float]] = {}
    for text, loss in zip(population, losses):
        for word in content_words(text, excluded):
            found.setdefault(word, []).append(-loss)
    out = dict(scores)
    for word, values in found.items():
        now = sum(values) / len(values)
        out[word] = (out[word] + now) / 2 if word in out else now
    return out


def _match_case(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def replace_words(text: str, scores: dict[str, float], synonyms: dict[str, list[str]], rng: random.Random,
                  excluded: Iterable[str] = (), limit: int = MAX_REPLACEMENTS_PER_PARAGRAPH) -> str:
    """Swap words for synonyms, at most `limit` per paragraph (paragraphs: split on blank lines).

    Each replaceable word (it has synonyms and is not excluded) is visited in random order; the
    word itself and its synonyms are drawn by roulette on softmax(score), a word without a score
    counting as the lowest score known (upstream's default)."""
    skip = STOPWORDS | {w.lower() for w in excluded}
    floor = min(scores.values()) if scores else 0.0
    paragraphs = text.split("\n\n")
    for p, paragraph in enumerate(paragraphs):
        matches = [m for m in _WORD.finditer(paragraph) if m.group(0).lower() in synonyms
                   and m.group(0).lower() not in skip]
        rng.shuffle(matches)
        swaps: dict[int, tuple[int, str]] = {}  # start -> (end, new word)
        for m in matches:
            if len(swaps) >= limit:
                break
            word = m.group(0).lower()
            options = [word, *synonyms[word]]
            pick = rng.choices(options, weights=selection_probabilities([-scores.get(o, floor) for o in options]))[0]
            if pick != word:
                swaps[m.start()] = (m.end(), _match_case(pick, m.group(0)))
        for start in sorted(swaps, reverse=True):
            end, new = swaps[start]
            paragraph = paragraph[:start] + new + paragraph[end:]
        paragraphs[p] = paragraph
    return "\n\n".join(paragraphs)


def breed_hga(population: Sequence[str], losses: Sequence[float], n_elites: int, scores: dict[str, float],
              synonyms: dict[str, list[str]], rng: random.Random,
              excluded: Iterable[str] = ()) -> tuple[list[str], list[str], dict[str, float]]:
    """(elites, offspring, new word scores): the non-elites, best first, after word replacement."""
    excluded = list(excluded)
    scores = update_word_scores(scores, population, losses, excluded)
    order = ranked(population, losses)
    offspring = [replace_words(text, scores, synonyms, rng, excluded) for text in order[n_elites:]]
    return order[:n_elites], offspring, scores
