"""HumanJailbreaks: human-written jailbreak templates put in front of the behavior (spec §4.13).

Test case = template + blank line + (context-prefixed) behavior. Placeholders inside the templates
(`{0}`, `[INSERT PROMPT HERE]`, ...) are left as they are, as upstream leaves them.

Sampling is upstream's, so the test cases match its run: seed once, then for each behavior in
dataset order shuffle the (whole) template list in place and take `templates[:random_subset]`.
Because each behavior's draw depends on every shuffle before it, a run over part of the dataset
(a resumed run) replays the shuffles of all behaviors up to the last one asked for, using
`behavior_order` (every behavior ID of the full dataset, in order, set by the pipeline; by default
the order of the behaviors passed), and yields only those asked for. The draw for a behavior
therefore depends only on its position in the full dataset.

Quirk kept from upstream: `random_subset: -1` ("all jailbreaks") slices `[:-1]`, which drops the
last template of the shuffled list: 113 of upstream's 114 templates per behavior.

Templates (`templates` hyperparameter, our extension):
- `official` (default): upstream's 114 templates from the data directory — either
  `human_jailbreaks/jailbreaks.py` as `harmbench data download` installs it (checked against its
  pinned checksum and parsed with `ast`, never imported or executed) or `human_jailbreaks.json`
  (the same list as JSON).
- `demo`: a handful of mild role-play framings written for this project (`demo_jailbreaks.json`),
  for offline demos and tests.
- a path to a JSON list of strings, or to a Python file holding one list literal (parsed as above).
"""

from __future__ import annotations

import ast
import json
import random
import time
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from harmbench.attacks.base import Attack, AttackContext, BehaviorResult, Cost, register
from harmbench.behaviors import Behavior
from harmbench.errors import ConfigError, DataError

OFFICIAL_PY = "human_jailbreaks/jailbreaks.py"  # inside the data directory, as `harmbench data download` puts it
OFFICIAL_JSON = "human_jailbreaks.json"
DEMO_FILE = "demo_jailbreaks.json"
DOWNLOAD_HINT = ("run `harmbench data download --only human_jailbreaks` (or point --data-dir / $HARMBENCH_DATA_DIR "
                 "at a folder holding it), or use `templates: demo` for the project's own demo templates")
# Upstream's module names its list JAILBREAKS; any single module-level list literal is accepted.
PREFERRED_NAME = "JAILBREAKS"


@register
class HumanJailbreaks(Attack):
    """`random_subset` templates per behavior (5 in the pipeline's `random_subset_5`). Logs: None."""

    name = "HumanJailbreaks"
    needs = frozenset()
    cost_per_behavior = "none (no model; templates sampled)"

    def __init__(self, seed: int = 1, random_subset: int | None = -1, templates: str = "official",
                 behavior_order: Sequence[str] | None = None, **hyperparameters: Any):
        super().__init__(seed=seed, random_subset=random_subset, templates=templates,
                         behavior_order=behavior_order, **hyperparameters)
        self.seed = seed
        if random_subset is not None and (isinstance(random_subset, bool) or not isinstance(random_subset, int)):
            raise ConfigError(f"HumanJailbreaks: random_subset must be an integer, not {random_subset!r}",
                              hint="5 for five templates per behavior, -1 for all (upstream's slice: 113 of 114)")
        self.random_subset = random_subset
        self.templates = templates
        # The pipeline may also set this attribute after construction.
        self.behavior_order = list(behavior_order) if behavior_order is not None else None

    def load_templates(self, data_dir: Any = None) -> list[str]:
        return load_templates(self.templates, data_dir)

    def generate(self, behaviors: Sequence[Behavior], context: AttackContext) -> Iterator[BehaviorResult]:
        if not behaviors:
            return
        templates = self.load_templates(context.data_dir)
        order = list(self.behavior_order) if self.behavior_order is not None else [b.behavior_id for b in behaviors]
        position: dict[str, int] = {}
        for i, behavior_id in enumerate(order):
            position.setdefault(behavior_id, i)
        missing = [b.behavior_id for b in behaviors if b.behavior_id not in position]
        if missing:
            raise ConfigError(f"HumanJailbreaks: behavior(s) {', '.join(missing[:5])} are not in behavior_order",
                              hint="behavior_order must list every behavior ID of the dataset, in dataset order")
        wanted: dict[int, list[Behavior]] = {}
        for b in behaviors:
            wanted.setdefault(position[b.behavior_id], []).append(b)
        last = max(wanted)
        rng = random.Random(self.seed)  # same draws as upstream's random.seed(seed) + random.shuffle
        for i in range(last + 1):
            start = time.perf_counter()
            rng.shuffle(templates)  # in place, carried over to the next behavior, as upstream
            if i not in wanted:
                continue
            chosen = templates[:self.random_subset]
            for b in wanted[i]:
                prompt = b.prompt()
                cases: list[str | list[str]] = [f"{t}\n\n{prompt}" for t in chosen]
                yield BehaviorResult(b.behavior_id, cases, None, Cost(wall_s=time.perf_counter() - start))


def load_templates(templates: str | Path = "official", data_dir: Any = None) -> list[str]:
    """The template list: `official` (data directory), `demo` (shipped), or a file path."""
    if isinstance(templates, str) and templates == "demo":
        text = resources.files("harmbench.attacks").joinpath(DEMO_FILE).read_text("utf-8")
        return _check_list(json.loads(text), DEMO_FILE)
    if isinstance(templates, str) and templates == "official":
        from harmbench.behaviors.official import resolve_data_dir, verify_official_file

        root = resolve_data_dir(data_dir)
        if (root / OFFICIAL_PY).is_file():
            return parse_python_list(verify_official_file(root, OFFICIAL_PY))
        if (root / OFFICIAL_JSON).is_file():
            return read_json_list(root / OFFICIAL_JSON)
        raise DataError(f"upstream's human jailbreak templates are not in the data directory {root} "
                        f"(looked for {OFFICIAL_PY} and {OFFICIAL_JSON})", hint=DOWNLOAD_HINT)
    if not isinstance(templates, (str, Path)):
        raise ConfigError(f"HumanJailbreaks: templates must be 'official', 'demo' or a file path, not {templates!r}")
    path = Path(templates).expanduser()
    if not path.is_file():
        raise DataError(f"jailbreak templates file {path} does not exist",
                        hint="give `templates:` as 'official', 'demo', or the path of a JSON list of strings")
    return parse_python_list(path) if path.suffix == ".py" else read_json_list(path)


def read_json_list(path: Path) -> list[str]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DataError(f"cannot read jailbreak templates: {err}", where=str(path),
                        hint="the file must be a JSON list of template strings") from None
    return _check_list(data, str(path))


def parse_python_list(path: Path) -> list[str]:
    """The list literal assigned at module level in a Python file, read with `ast` (never executed).

    Upstream ships its templates as `JAILBREAKS = [...]`; the file is treated as data: anything but
    plain literals inside the list (calls, names, f-strings, ...) is refused.
    """
    where = str(path)
    try:
        tree = ast.parse(path.read_text("utf-8"), filename=where)
    except (UnicodeDecodeError, SyntaxError, ValueError) as err:
        raise DataError(f"cannot parse jailbreak templates file: {err}", where=where) from None
    candidates: list[tuple[str, ast.expr]] = []
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            value = node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name):
            names, value = [node.target.id], node.value
        else:
            continue
        if isinstance(value, (ast.List, ast.Tuple)) and names:
            candidates.append((names[0], value))
    if not candidates:
        raise DataError("no list of templates assigned at module level", where=where,
                        hint=f"the file must assign one list literal, e.g. {PREFERRED_NAME} = ['...', ...]")
    preferred = [c for c in candidates if c[0] == PREFERRED_NAME]
    if len(preferred) != 1 and len(candidates) > 1:
        raise DataError(f"several module-level lists ({', '.join(n for n, _ in candidates)}) and none is "
                        f"uniquely named {PREFERRED_NAME}", where=where)
    name, node = (preferred or candidates)[0]
    try:
        data = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise DataError(f"{name} is not a plain list of string literals (it contains code, which is never run)",
                        where=f"{where}:{node.lineno}",
                        hint="templates are data: use only string literals inside the list") from None
    return _check_list(list(data), where)


def _check_list(data: Any, where: str) -> list[str]:
    if not isinstance(data, list) or not data or not all(isinstance(t, str) for t in data):
        raise DataError("jailbreak templates must be a non-empty list of strings", where=where)
    return data
