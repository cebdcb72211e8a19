"""`GCGModelWorker`: one target model of EnsembleGCG (spec §4.3), in process or as a Ray actor,
and the two pools that hold them (`LocalPool`, `RayPool`: `call(method, *args)` -> one answer per model).

The driver keeps the suffix and does the sampling; a worker holds one model and the slots of the
job's behaviors, and answers two questions about a suffix: its one-hot gradient (averaged over
the included behaviors, each position's row L2-normalised) and the losses of candidate suffixes
(one row per included behavior). Tensors cross the boundary on the CPU, so the same class works
unchanged inside a Ray actor (`ray.remote(num_gpus=...)(GCGModelWorker)`), which loads its model
from `spec` itself.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import torch

from harmbench.attacks.optim.base import whitebox_of
from harmbench.attacks.optim.search import candidate_losses, token_gradient
from harmbench.errors import ConfigError, HarmbenchError

log = logging.getLogger(__name__)


class GCGModelWorker:
    def __init__(self, target: Any = None, *, spec: Any = None, configs: str | None = None,
                 use_prefix_cache: bool = True):
        self._owned = target is None
        if target is None:  # a Ray actor loads its own model
            from harmbench.models import get_target

            target = get_target(spec, configs=configs)
        self.wb = whitebox_of(target, "EnsembleGCG", hint="list open-weight models (hf backend) under target_models")
        self.target = target
        self.use_prefix_cache = bool(use_prefix_cache)
        self.slots: list = []

    def tokenizer(self):
        return self.wb.tokenizer

    def set_behaviors(self, user_texts: list[str], targets: list[str]) -> None:
        """Lay out every behavior of the job; prefixes are cached when a behavior is first used."""
        self.slots = [self.wb.split(text, target) for text, target in zip(user_texts, targets)]

    def gradient(self, ids: torch.Tensor, n_behaviors: int) -> torch.Tensor:
        """[n, vocab]: d loss / d one-hot(suffix), mean over the first `n_behaviors` behaviors,
        each row divided by its L2 norm (summing instead of averaging changes nothing after that)."""
        grad = token_gradient(self.wb, ids.to(self.wb.device), self.slots[:n_behaviors], self.use_prefix_cache)
        return (grad / grad.norm(dim=-1, keepdim=True)).float().cpu()

    def losses(self, candidates: torch.Tensor, n_behaviors: int) -> torch.Tensor:
        """[n_behaviors, m] mean target cross-entropy of each candidate [m, n] (already filtered)."""
        with torch.no_grad():
            _, losses = candidate_losses(self.wb, candidates.to(self.wb.device), self.slots[:n_behaviors],
                                         filter_retokenization=False, use_prefix_cache=self.use_prefix_cache)
        return losses.float().cpu()

    def passes(self) -> tuple[int, int]:
        """Sequences run forward and backward so far (for cost accounting)."""
        return self.wb.sequences_forward, self.wb.sequences_backward

    def close(self) -> None:
        if self._owned:
            self.target.close()


class LocalPool:
    """The target models in this process, loaded (and owned) by the run's model loader."""

    def __init__(self, target_models: list[tuple[Any, Any]], load_model, use_prefix_cache: bool = True):
        self.workers = [GCGModelWorker(load_model(spec), use_prefix_cache=use_prefix_cache)
                        for spec, _ in target_models]

    def call(self, method: str, *args: Any) -> list:
        return [getattr(w, method)(*args) for w in self.workers]

    def close(self) -> None:
        pass


class RayPool:
    """One Ray actor per (spec, num_gpus) target model, asking for its GPUs (none on a cluster
    without GPUs). A Ray runtime is started on this machine (and shut down after) unless one is
    running or $RAY_ADDRESS names a cluster; the actors must be able to import harmbench."""

    def __init__(self, target_models: list[tuple[Any, Any]], load_model, use_prefix_cache: bool = True):
        try:
            import ray
        except ImportError:
            raise ConfigError("EnsembleGCG with use_ray needs Ray, which is not installed",
                              hint="pip install 'harmbench[ray]' (or pip install ray), or set use_ray: false") from None
        self.ray, self.actors = ray, []
        self.owned = not ray.is_initialized()
        if self.owned:
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            if os.environ.get("RAY_ADDRESS"):
                ray.init(log_to_driver=False)
            else:
                ray.init(address="local", include_dashboard=False, log_to_driver=False)
        configs = getattr(load_model, "configs_dir", None)  # the run's configs, for models.yaml names
        if configs is not None and Path(configs).expanduser().exists():
            configs = str(Path(configs).expanduser().resolve())
        has_gpus = ray.cluster_resources().get("GPU", 0) > 0
        actor_cls = ray.remote(GCGModelWorker)
        for spec, gpus in target_models:
            if gpus and not has_gpus:
                log.warning("EnsembleGCG: %s asks for %s GPUs but the Ray cluster has none: running it on CPU",
                            spec, gpus)
            self.actors.append(actor_cls.options(num_gpus=gpus if has_gpus else 0).remote(
                spec=spec, configs=configs, use_prefix_cache=use_prefix_cache))

    def call(self, method: str, *args: Any) -> list:
        args = tuple(self.ray.put(a) if isinstance(a, torch.Tensor) else a for a in args)
        try:
            return self.ray.get([getattr(a, method).remote(*args) for a in self.actors])
        except Exception as err:  # noqa: BLE001 - whatever the actor raised, reported in one line
            from harmbench.pipeline.ray_executor import describe_error

            raise HarmbenchError(f"EnsembleGCG: a target model's Ray actor failed: {describe_error(err)}",
                                 hint="worker logs: /tmp/ray/session_latest/logs") from None

    def close(self) -> None:
        for actor in self.actors:
            try:
                self.ray.kill(actor)
            except Exception as err:  # noqa: BLE001 - already dead, or the cluster is gone
                log.debug("kill actor: %s", err)
        if self.owned and self.ray.is_initialized():
            self.ray.shutdown()
