"""`RayExecutor`: the pipeline's work spread over a Ray cluster (or a Ray runtime on this machine).

What becomes what (upstream's `local_parallel` mode, spec §1.6, done with tasks and actors instead
of shell commands):

- Step 1: each chunk of `job.chunk_size` behaviors (None = all of them) is one Ray task asking for
  `job.num_gpus` GPUs and one CPU. The task builds its own `AttackContext` (a model loader for the
  run's configs folder, the run's data_dir and seed), runs `attack.generate(chunk, context)` and
  returns the chunk's `BehaviorResult`s.
- Step 2: one Ray actor per model, asking for the model's `num_gpus` from models.yaml; it loads the
  model once and generates every batch sent to it. Actors are kept for later jobs while they fit on
  the cluster, and killed by `close()`.

Results come back to the driver as each task or batch finishes; the driver alone writes the run
store, so a run on a cluster commits (and resumes) exactly like a local one. A task that raises is
retried `max_retries` times; when it still fails the other tasks' results are still handed back,
and after all are done a `HarmbenchError` names what failed (the rerun then does only that part).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from harmbench.attacks import Attack, AttackContext, BehaviorResult
from harmbench.behaviors import Behavior
from harmbench.errors import ConfigError, HarmbenchError
from harmbench.models import Generation, GenerationConfig, GenerationRequest

log = logging.getLogger(__name__)

WAIT_SLICE_S = 1.0  # ray.wait in short slices so Ctrl-C is seen promptly
LOGS_HINT = "worker logs: /tmp/ray/session_latest/logs on each node"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_EXC_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)):")


# ---------------------------------------------------------------------------------------------
# What runs on the workers (module-level, so Ray ships them by reference to an installed harmbench)


def run_attack_chunk(attack: Attack, behaviors: list[Behavior], configs: str | None, data_dir: Any,
                     seed: int, stored_counts: dict[str, int] | None = None) -> list[BehaviorResult]:
    """One step-1 task: the chunk's results, with a context built here on the worker."""
    from harmbench.pipeline.run import ModelCache

    models = ModelCache(configs)
    try:
        context = AttackContext(load_model=models, data_dir=data_dir, seed=seed, stored_counts=stored_counts or {})
        return list(attack.generate(behaviors, context))
    finally:
        models.close()


class ModelWorker:
    """One model, loaded once, generating the batches sent to it (a step-2 actor)."""

    def __init__(self, model: str, configs: str | None):
        from harmbench.models import get_target

        self.model = model
        self.target = get_target(model, configs=configs)

    def ready(self) -> str | None:
        """The sha256 of the model's chat template (None without one), once the model is loaded."""
        template = getattr(self.target, "chat_template", None)
        return hashlib.sha256(template.encode()).hexdigest() if template else None

    def generate(self, index: int, batch: list[GenerationRequest],
                 config: GenerationConfig) -> tuple[int, list[Generation], float]:
        start = time.perf_counter()
        generations = self.target.generate(batch, config)
        return index, generations, time.perf_counter() - start

    def close(self) -> None:
        self.target.close()


# ---------------------------------------------------------------------------------------------


def chunks_of(behaviors: Sequence[Behavior], size: int | None) -> list[list[Behavior]]:
    """Consecutive chunks of `size` behaviors (None or < 1: one chunk of all)."""
    items = list(behaviors)
    if not items:
        return []
    if not size or size < 1:
        return [items]
    return [items[i:i + size] for i in range(0, len(items), size)]


def describe_error(err: BaseException) -> str:
    """A one-line account of what a Ray task raised: the worker's exception, not Ray's wrapping."""
    cause = getattr(err, "cause", None)
    if cause is not None and isinstance(cause, BaseException):
        err = cause
    if isinstance(err, HarmbenchError):
        return err.render().replace("\n", " ")
    text = _ANSI.sub("", str(err)).strip()
    if "\n" in text:  # a traceback from Ray: the exception is its last unindented `Name: message` line
        lines = text.splitlines()
        found = [i for i, line in enumerate(lines) if _EXC_LINE.match(line)]
        if found:
            i = found[-1]
            line = _EXC_LINE.sub(lambda m: m.group(1).rsplit(".", 1)[-1] + ":", lines[i], count=1)
            extra = [x.strip() for x in lines[i + 1:] if x.strip().startswith("hint:")]
            return (line + "".join(f" ({x})" for x in extra))[:500]
        return [line.strip() for line in lines if line.strip()][-1][:500]
    return f"{type(err).__name__}: {text}"[:500]


def _short_ids(ids: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _absolute(path: Any) -> Any:
    """Paths that exist here are sent as absolute paths (workers may not share our cwd)."""
    if path is None or isinstance(path, dict):
        return path
    p = Path(path).expanduser()
    return str(p.resolve()) if p.exists() else str(path)


class RayExecutor:
    """Runs step-1 chunks as Ray tasks and step-2 batches on one Ray actor per model.

    address: a Ray cluster to join (`ray://host:10001`, `host:6379`, `auto`); default $RAY_ADDRESS,
    else a Ray runtime is started on this machine with `num_cpus` CPUs (default: all) and no
    dashboard. If Ray is already initialised in this process it is used as it is.
    configs / data_dir / seed: what the workers build their context from; None takes them from
    the driver's context (the `configs_dir` of its model loader, `context.data_dir`, `context.seed`).
    runtime_env: passed to `ray.init` (e.g. `{"env_vars": {"HF_TOKEN": ...}}` for the workers).
    max_in_flight: completion batches queued on an actor ahead of the one running.
    """

    def __init__(self, address: str | None = None, *, num_cpus: int | None = None, max_retries: int = 2,
                 configs: str | os.PathLike | None = None, data_dir: str | os.PathLike | None = None,
                 seed: int | None = None, runtime_env: dict[str, Any] | None = None, log_to_driver: bool = False,
                 max_in_flight: int = 2):
        try:
            import ray
        except ImportError:
            raise ConfigError("the ray executor needs Ray, which is not installed",
                              hint="pip install 'harmbench[ray]' (or pip install ray), or use --executor local") from None
        self._ray = ray
        self.max_retries = max(0, int(max_retries))
        self.configs = _absolute(configs)
        self.data_dir = _absolute(data_dir)
        self.seed = seed
        self.max_in_flight = max(1, int(max_in_flight))
        self._actors: OrderedDict[tuple[str, str | None], tuple[Any, dict[str, float]]] = OrderedDict()
        self._owned = False
        self.startup_s = 0.0
        address = address or os.environ.get("RAY_ADDRESS") or None
        if not ray.is_initialized():
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            start = time.perf_counter()
            try:
                if address:
                    ray.init(address=address, log_to_driver=log_to_driver, runtime_env=runtime_env)
                else:  # a private runtime, even if a `ray start` cluster runs on this machine
                    ray.init(address="local", num_cpus=num_cpus, include_dashboard=False,
                             log_to_driver=log_to_driver, runtime_env=runtime_env)
            except ConnectionError as err:
                raise ConfigError(f"cannot connect to the Ray cluster at {address}: {err}",
                                  hint="check --ray-address / $RAY_ADDRESS (`ray status` on the head node prints it); "
                                       "if the cluster uses token authentication, set RAY_AUTH_MODE=token and give this "
                                       "machine its token (~/.ray/auth_token or $RAY_AUTH_TOKEN)") from None
            self._owned = True
            self.startup_s = time.perf_counter() - start
            log.info("Ray %s in %.1f s: %s", "connected" if address else "started", self.startup_s,
                     ray.cluster_resources())
        self._task = ray.remote(run_attack_chunk)
        self._actor_cls = ray.remote(ModelWorker)

    # -- step 1 --------------------------------------------------------------------------------

    def run_attack(self, attack: Attack, job, behaviors: Sequence[Behavior],
                   context: AttackContext) -> Iterator[BehaviorResult]:
        ray = self._ray
        chunks = chunks_of(behaviors, job.chunk_size)
        if not chunks:
            return
        configs = self._configs_for(context.load_model)
        data_dir = self.data_dir if self.data_dir is not None else _absolute(context.data_dir)
        seed = self.seed if self.seed is not None else context.seed
        gpus = self._gpus(job.num_gpus, f"{job.key} (step 1)")
        attack_ref = ray.put(attack)
        pending: dict[Any, list[Behavior]] = {}
        failed: list[tuple[list[str], str]] = []
        try:
            for i, chunk in enumerate(chunks):
                ref = self._task.options(
                    num_cpus=1, num_gpus=gpus, max_retries=self.max_retries, retry_exceptions=True,
                    name=f"harmbench {job.key} chunk {i + 1}/{len(chunks)}",
                ).remote(attack_ref, chunk, configs, data_dir, seed,
                         {b.behavior_id: context.stored_counts.get(b.behavior_id, 0) for b in chunk})
                pending[ref] = chunk
            log.info("%s: %d behaviors in %d Ray tasks (%s GPUs each)", job.key, len(behaviors), len(chunks), gpus)
            while pending:
                for ref in self._wait(pending):
                    chunk = pending.pop(ref)
                    try:
                        results = ray.get(ref)
                    except Exception as err:  # the task failed after all its retries
                        ids = [b.behavior_id for b in chunk]
                        failed.append((ids, describe_error(err)))
                        log.warning("%s: chunk %s failed: %s", job.key, _short_ids(ids, 3), failed[-1][1])
                        continue
                    yield from results
        finally:
            self._cancel(pending)
        if failed:
            n = sum(len(ids) for ids, _ in failed)
            lines = [f"behaviors {_short_ids(ids)}: {why}" for ids, why in failed[:5]]
            if len(failed) > 5:
                lines.append(f"... and {len(failed) - 5} more chunks")
            raise HarmbenchError(
                f"{job.key}: {len(failed)} of {len(chunks)} Ray tasks failed after {self.max_retries + 1} "
                f"attempts ({n} behaviors without test cases):\n  " + "\n  ".join(lines),
                hint="the other behaviors' test cases are saved; rerun the same command to do only the failed "
                     f"ones ({LOGS_HINT})")

    # -- step 2 --------------------------------------------------------------------------------

    def run_completions(self, model: str, batches: Sequence[list[GenerationRequest]], config: GenerationConfig,
                        load_model: Callable[[str], object]) -> Iterator[tuple[int, list[Generation], float]]:
        ray = self._ray
        if not batches:
            return
        configs = self._configs_for(load_model)
        actor = self._actor_for(model, configs, load_model)
        todo = list(range(len(batches)))[::-1]
        pending: dict[Any, int] = {}
        failed: list[tuple[int, str]] = []
        finished = False
        try:
            while todo or pending:
                while todo and len(pending) < self.max_in_flight:
                    index = todo.pop()
                    ref = actor.generate.options(retry_exceptions=True).remote(index, batches[index], config)
                    pending[ref] = index
                for ref in self._wait(pending):
                    index = pending.pop(ref)
                    try:
                        result = ray.get(ref)
                    except Exception as err:
                        failed.append((index, describe_error(err)))
                        log.warning("completions of %s: batch %d failed: %s", model, index, failed[-1][1])
                        continue
                    yield result
            finished = True
        finally:
            if not finished:  # interrupted: stop the actor's queued work
                self._drop_actor((model, configs))
        if failed:
            self._drop_actor((model, configs))  # it may be dead; the next job starts a fresh one
            by_error: dict[str, list[int]] = {}
            for index, why in failed:
                by_error.setdefault(why, []).append(index)
            lines = [f"batches {', '.join(map(str, idx[:10]))}{' ...' if len(idx) > 10 else ''}: {why}"
                     for why, idx in by_error.items()]
            raise HarmbenchError(
                f"completions by {model}: {len(failed)} of {len(batches)} batches failed on the Ray cluster "
                f"after {self.max_retries + 1} attempts:\n  " + "\n  ".join(lines),
                hint=f"the other batches are saved; rerun the same command to do only the failed ones ({LOGS_HINT})")

    # -- lifecycle -----------------------------------------------------------------------------

    def close(self) -> None:
        for key in list(self._actors):
            self._drop_actor(key)
        if self._owned and self._ray.is_initialized():
            self._ray.shutdown()
        self._owned = False

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- helpers -------------------------------------------------------------------------------

    def _configs_for(self, load_model: Any) -> str | None:
        if self.configs is not None:
            return self.configs
        return _absolute(getattr(load_model, "configs_dir", None))

    def _wait(self, pending: dict) -> list:
        """The refs that are done, waiting for at least one (in slices, so Ctrl-C gets through)."""
        while True:
            ready, _ = self._ray.wait(list(pending), num_returns=1, timeout=WAIT_SLICE_S)
            if ready:
                return ready

    def _cancel(self, pending: dict) -> None:
        for ref in pending:
            try:
                self._ray.cancel(ref, force=True)
            except Exception as err:  # already finished, or the cluster is gone
                log.debug("cancel: %s", err)
        if pending:
            log.warning("cancelled %d unfinished Ray tasks", len(pending))

    def _gpus(self, wanted: int | float, what: str) -> int | float:
        """GPUs to ask for: `wanted`, or 0 on a cluster without any GPU (runs there on CPU)."""
        if not wanted:
            return 0
        per_node = [n.get("Resources", {}).get("GPU", 0) for n in self._ray.nodes() if n.get("Alive")]
        most = max(per_node, default=0)
        if most == 0:
            log.warning("%s asks for %s GPUs but the Ray cluster has none: running it on CPU", what, wanted)
            return 0
        if wanted > most:
            raise ConfigError(f"{what} needs {wanted} GPUs on one node; the largest node of the Ray cluster has {most}",
                              hint="add a bigger node, or lower num_gpus / base_num_gpus in the configs")
        return wanted

    def _actor_for(self, model: str, configs: str | None, load_model: Any):
        from harmbench.config import load_configs

        key = (model, configs)
        if key in self._actors:
            self._actors.move_to_end(key)
            return self._actors[key][0]
        gpus = self._gpus(load_configs(configs).models.get(model).num_gpus, f"model {model}")
        demand = {"CPU": 1.0, "GPU": float(gpus)}
        self._make_room(demand)
        actor = self._actor_cls.options(num_cpus=1, num_gpus=gpus, max_restarts=1,
                                        max_task_retries=self.max_retries,
                                        name=None).remote(model, configs)
        ready = actor.ready.remote()
        try:
            self._wait({ready: None})
            template_sha = self._ray.get(ready)
        except BaseException as err:
            self._ray.kill(actor)
            if not isinstance(err, Exception):  # Ctrl-C
                raise
            raise HarmbenchError(f"could not load model {model} on the Ray cluster: {describe_error(err)}",
                                 hint=f"check its models.yaml entry and that every node can reach its weights ({LOGS_HINT})") from None
        templates = getattr(load_model, "templates", None)  # the driver's ModelCache records them for the manifest
        if template_sha and isinstance(templates, dict):
            templates[model] = template_sha
        self._actors[key] = (actor, demand)
        return actor

    def _make_room(self, demand: dict[str, float]) -> None:
        """Kill the least recently used idle actors until `demand` fits in the free resources."""
        if not self._actors:
            return
        free = dict(self._ray.available_resources())
        for resource, need in demand.items():
            while need and free.get(resource, 0.0) < need and self._actors:
                key = next(iter(self._actors))
                for r, amount in self._actors[key][1].items():
                    free[r] = free.get(r, 0.0) + amount
                log.info("stopping the actor of %s to make room", key[0])
                self._drop_actor(key)

    def _drop_actor(self, key: tuple[str, str | None]) -> None:
        entry = self._actors.pop(key, None)
        if entry is None:
            return
        try:
            self._ray.kill(entry[0])
        except Exception as err:
            log.debug("kill actor %s: %s", key[0], err)
