"""Method configs (`<Class>_config.yaml`) and experiment resolution exactly as upstream (spec §3.2).

An experiment is a named hyperparameter set. Keys containing `<model_name1>`, `<model_name2>`, ...
expand into one experiment per tuple of models.yaml names; inside them, strings such as
`<model_name1>['model']['model_name_or_path']` are replaced by that model's entry. Manually written
experiments override expanded ones of the same name; their own `<model_nameK>[...]` references bind
to the model names found in the experiment's name (leftmost match, models.yaml order: upstream's
rule, under which `zephyr_7b_robust6_data2` binds `zephyr_7b`). The result is the defaults
shallow-updated by the experiment.
"""

from __future__ import annotations

import copy
import difflib
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harmbench.config.models import ModelsConfig
from harmbench.config.yamlfile import YamlFile, read_yaml
from harmbench.errors import ConfigError

DEFAULTS_KEY = "default_method_hyperparameters"
_PLACEHOLDER = re.compile(r"<model_name(\d+)>")
_REFERENCE = re.compile(r"^<model_name(\d+)>((?:\[\s*(?:'[^']*'|\"[^\"]*\"|-?\d+)\s*\])+)$")
_INDEX = re.compile(r"\[\s*(?:'([^']*)'|\"([^\"]*)\"|(-?\d+))\s*\]")


@dataclass(frozen=True)
class Experiment:
    method: str
    name: str
    hyperparameters: dict[str, Any]  # defaults shallow-updated by the experiment
    models: tuple[str, ...]  # models.yaml names bound to <model_name1>, <model_name2>, ...
    key: str  # the config key it came from (e.g. '<model_name1>' or the name itself)


@dataclass
class MethodConfig:
    method: str  # class name, e.g. GCG, EnsembleGCG
    doc: YamlFile
    defaults: dict[str, Any]
    entries: dict[str, Any]  # every other top-level key, as written

    @property
    def path(self) -> Path:
        return self.doc.path

    def _expansions(self, models: ModelsConfig) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Experiment name -> (config key, bound model names), manual entries winning."""
        found: dict[str, tuple[str, tuple[str, ...]]] = {}
        for key in self.entries:
            numbers = {int(n) for n in _PLACEHOLDER.findall(key)}
            if not numbers:
                continue
            for combo in itertools.product(models.names(), repeat=max(numbers)):
                name = _PLACEHOLDER.sub(lambda m: combo[int(m.group(1)) - 1], key)
                found[name] = (key, combo)
        for key in self.entries:
            if not _PLACEHOLDER.search(key):
                found[key] = (key, _models_in_name(key, models))
        return found

    def experiment_names(self, models: ModelsConfig) -> list[str]:
        return list(self._expansions(models))

    def resolve(self, name: str, models: ModelsConfig) -> Experiment:
        if name == DEFAULTS_KEY:
            raise ConfigError(f"{DEFAULTS_KEY!r} holds the defaults and is not an experiment", where=str(self.path),
                              hint="name an experiment of this config")
        table = self._expansions(models)
        if name not in table:
            close = difflib.get_close_matches(name, table, n=3)
            raise ConfigError(
                f"no experiment {name!r} in the {self.method} config", where=str(self.path),
                hint=(f"did you mean {' or '.join(map(repr, close))}? " if close else "")
                + "experiments are its top-level keys, with <model_nameK> expanded over models.yaml names",
            )
        key, bound = table[name]
        body = self.entries[key] or {}
        if not isinstance(body, dict):
            raise ConfigError(f"experiment {key!r} must be a mapping of hyperparameters", where=self.doc.where(key))
        resolved = _substitute(copy.deepcopy(body), bound, models, self.doc, (key,), name)
        return Experiment(self.method, name, {**copy.deepcopy(self.defaults), **resolved}, bound, key)

    def all_experiments(self, models: ModelsConfig) -> tuple[dict[str, Experiment], dict[str, str]]:
        """Every experiment that resolves, and for the rest why not (upstream fails only when asked)."""
        ok: dict[str, Experiment] = {}
        failed: dict[str, str] = {}
        for name in self.experiment_names(models):
            try:
                ok[name] = self.resolve(name, models)
            except ConfigError as err:
                failed[name] = err.render()
        return ok, failed


    def binding_warnings(self, models: ModelsConfig) -> list[str]:
        """Manual experiments whose name-based model binding is ambiguous under upstream's rule."""
        out = []
        for key in self.entries:
            if _PLACEHOLDER.search(key) or not _PLACEHOLDER.search(repr(self.entries[key])):
                continue
            for bound in _models_in_name(key, models):
                at = key.find(bound)
                longer = [n for n in models.names() if len(n) > len(bound) and key.startswith(n, at)]
                if longer:
                    out.append(f"{self.doc.where(key)}: experiment {key!r} binds <model_name> to {bound!r} "
                               f"(upstream's leftmost-key rule), not {longer[0]!r}")
        return out


def _models_in_name(name: str, models: ModelsConfig) -> tuple[str, ...]:
    names = models.names()
    if not names:
        return ()
    pattern = "|".join(re.escape(n) for n in names)  # alternation in file order: upstream's rule
    return tuple(re.findall(pattern, name))


def _substitute(value: Any, bound: tuple[str, ...], models: ModelsConfig, doc: YamlFile, keys: tuple, name: str) -> Any:
    if isinstance(value, dict):
        return {k: _substitute(v, bound, models, doc, keys + (k,), name) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, bound, models, doc, keys + (i,), name) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value
    match = _REFERENCE.match(value.strip())
    if not match:
        return value
    number = int(match.group(1))
    if number > len(bound):
        raise ConfigError(
            f"experiment {name!r} refers to <model_name{number}> but its name binds {len(bound)} model(s)",
            where=doc.where(*keys), hint="name the experiment after the model(s) it targets, e.g. llama2_7b",
        )
    target: Any = models.get(bound[number - 1]).raw
    for single, double, integer in _INDEX.findall(match.group(2)):
        index: Any = int(integer) if integer else (single or double)
        try:
            target = target[index]
        except (KeyError, IndexError, TypeError):
            raise ConfigError(
                f"experiment {name!r}: {value} does not resolve for model {bound[number - 1]!r} "
                f"(no {index!r} there)", where=doc.where(*keys),
                hint="check the reference against that model's entry in models.yaml",
            ) from None
    return copy.deepcopy(target)


def load_method_config(path: str | Path, method: str | None = None) -> MethodConfig:
    path = Path(path)
    method = method or path.name.removesuffix(".yaml").removesuffix("_config")
    doc = read_yaml(path, what="method config")
    if not isinstance(doc.data, dict):
        raise ConfigError("a method config maps experiment names to hyperparameters", where=doc.where(),
                          hint=f"start with a '{DEFAULTS_KEY}:' section")
    if not isinstance(doc.data.get(DEFAULTS_KEY), dict):
        raise ConfigError(f"missing the required '{DEFAULTS_KEY}' mapping", where=doc.where(DEFAULTS_KEY),
                          hint=f"add '{DEFAULTS_KEY}:' with the method's base hyperparameters")
    entries = {str(k): v for k, v in doc.data.items() if k != DEFAULTS_KEY}
    return MethodConfig(method, doc, dict(doc.data[DEFAULTS_KEY]), entries)
