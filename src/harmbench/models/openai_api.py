"""The `openai` backend: any server that speaks OpenAI's chat-completions API.

That covers OpenAI itself, the OpenAI-compatible endpoints of Anthropic, Google (Gemini) and Mistral,
and self-hosted servers (`vllm serve`, llama.cpp's `llama-server`, Ollama, `harmbench serve`).

One `OpenAITarget` holds one shared `httpx.Client`; a batch is sent concurrently through a thread
pool, never more than `max_concurrency` requests in flight per target. Transient failures (rate
limits, overload, 5xx, timeouts, dropped connections) are retried with exponential backoff and full
jitter, honouring `Retry-After`; a refused API key fails at once. Content-filter refusals are
recorded as generations (finish_reason "content_filter"), not crashes.

API keys come from the environment (`api_key_env`) and are held only in the client's headers: they
are never logged, stored in `meta`, or shown in `repr`.
"""

from __future__ import annotations

import dataclasses
import email.utils
import json
import os
import random
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from harmbench.errors import ConfigError, HarmbenchError, NetworkError
from harmbench.models.base import Generation, GenerationConfig, GenerationRequest, apply_stop

if TYPE_CHECKING:
    from harmbench.config import ModelConfig

try:
    import httpx
except ImportError:  # pragma: no cover - httpx ships with the project's environment
    httpx = None  # type: ignore[assignment]

__all__ = [
    "APIError",
    "OpenAITarget",
    "PROVIDERS",
    "REFUSAL_TEXT",
    "RETRY_STATUSES",
    "openai_target_from_config",
]

# What a content-filtered request is recorded as (upstream's wording for blocked Claude/Gemini outputs),
# so judges see a plain refusal whatever the provider said.
REFUSAL_TEXT = "I'm sorry, but I cannot assist with that request."

# HTTP statuses worth another try: timeout, rate limit, server errors, overload (Anthropic's 529).
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 529})

# OpenAI accepts at most 4 stop strings; the rest are applied here, on the returned text.
MAX_API_STOP = 4

_FILTER_WORDS = ("content_filter", "content filter", "content_policy", "content policy",
                 "content management policy", "safety", "responsible ai", "responsible_ai")
_FINISH_MAP = {
    "stop": "stop", "eos": "stop", "end_turn": "stop", "stop_sequence": "stop", "tool_calls": "stop",
    "function_call": "stop", "length": "length", "max_tokens": "length", "model_length": "length",
    "content_filter": "content_filter", "safety": "content_filter", "refusal": "content_filter",
    "recitation": "content_filter", "prohibited_content": "content_filter", "blocklist": "content_filter",
    "spii": "content_filter",
}


@dataclass(frozen=True)
class Provider:
    name: str
    prefixes: tuple[str, ...]
    base_url: str
    api_key_env: str


PROVIDERS: tuple[Provider, ...] = (
    Provider("OpenAI", ("gpt-", "o1", "o3", "o4", "chatgpt-"), "https://api.openai.com/v1", "OPENAI_API_KEY"),
    Provider("Anthropic", ("claude-",), "https://api.anthropic.com/v1", "ANTHROPIC_API_KEY"),
    Provider("Google", ("gemini",), "https://generativelanguage.googleapis.com/v1beta/openai", "GEMINI_API_KEY"),
    Provider("Mistral", ("mistral-",), "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
)

# Upstream model ids that the providers' OpenAI-compatible endpoints spell differently.
MODEL_ID_ALIASES = {"gemini": "gemini-pro"}

_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")


class APIError(HarmbenchError):
    """The server rejected a request for a reason retrying will not fix (a 4xx other than 401/403/429)."""

    def __init__(self, message: str, *, status: int | None = None, where: str | None = None,
                 hint: str | None = None):
        self.status = status
        super().__init__(message, where=where, hint=hint)


class _Cancelled(Exception):
    """Raised inside a worker when its batch was abandoned (another request failed, or the caller left)."""


def provider_for(model_id: str) -> Provider | None:
    """The hosted provider a model id belongs to, by prefix (`gpt-`, `claude-`, `gemini`, `mistral-`...)."""
    low = model_id.lower()
    return next((p for p in PROVIDERS if low.startswith(p.prefixes)), None)


def is_local_url(base_url: str) -> bool:
    host = (urlsplit(base_url).hostname or "").lower()
    return host in _LOCAL_HOSTS or host.endswith(".localhost") or host.startswith("127.")


def _is_reasoning_model(model_id: str) -> bool:
    """OpenAI's o-series: `max_completion_tokens`, and no temperature/top_p other than the default."""
    low = model_id.lower()
    return len(low) >= 2 and low[0] == "o" and low[1].isdigit()


class OpenAITarget:
    """A `Target` over POST `{base_url}/chat/completions`.

    `max_retries` counts retries after the first attempt (so at most `max_retries + 1` requests per
    generation). `api_key_env` only names where the key came from, for error messages. `sleep` replaces
    the backoff wait (tests); by default the wait is interruptible when the batch is abandoned.
    """

    def __init__(
        self,
        name: str,
        model_id: str,
        base_url: str,
        api_key: str | None = None,
        *,
        max_concurrency: int = 8,
        timeout: float = 60.0,
        max_retries: int = 6,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        default_headers: Mapping[str, str] | None = None,
        api_key_env: str | None = None,
        sleep: Callable[[float], None] | None = None,
        transport: Any = None,
    ):
        if httpx is None:  # pragma: no cover
            raise ConfigError("the openai backend needs the httpx package", hint="pip install httpx")
        if not isinstance(max_concurrency, int) or max_concurrency < 1:
            raise ConfigError(f"max_concurrency must be a whole number >= 1, not {max_concurrency!r}",
                              where=f"model {name!r}")
        if not (isinstance(timeout, (int, float)) and timeout > 0):
            raise ConfigError(f"timeout must be a number of seconds > 0, not {timeout!r}", where=f"model {name!r}")
        if not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigError(f"max_retries must be a whole number >= 0, not {max_retries!r}",
                              where=f"model {name!r}")
        self.name = name
        self.model_id = model_id
        self.base_url = base_url.rstrip("/")
        self.max_concurrency = max_concurrency
        self.timeout = float(timeout)
        self.max_retries = max_retries
        self.backoff_base = float(backoff_base)
        self.backoff_max = float(backoff_max)
        self.api_key_env = api_key_env
        self.has_api_key = bool(api_key)
        self._sleep = sleep
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._url = f"{self.base_url}/chat/completions"
        from harmbench import __version__

        headers = {"User-Agent": f"harmbench/{__version__}", "Accept": "application/json"}
        headers.update(default_headers or {})
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        local = is_local_url(self.base_url)
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(self.timeout),
            limits=httpx.Limits(max_connections=max_concurrency, max_keepalive_connections=max_concurrency),
            trust_env=not local,  # a proxy from the environment must not swallow requests to localhost
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"OpenAITarget(name={self.name!r}, model_id={self.model_id!r}, base_url={self.base_url!r})"

    # ---- the Target protocol -------------------------------------------------------------------------

    def generate(self, requests: Sequence[GenerationRequest],
                 config: GenerationConfig = GenerationConfig()) -> list[Generation]:
        """One generation per request, in order. If any request fails for good the call raises (after the
        requests in flight finish); the exception carries the finished ones as `.completed` {index: Generation}.
        Use `generate_iter` to commit finished work as it arrives."""
        out: dict[int, Generation] = {}
        try:
            for i, gen in self.generate_iter(requests, config):
                out[i] = gen
        except HarmbenchError as exc:
            exc.completed = dict(out)  # type: ignore[attr-defined]
            raise
        return [out[i] for i in range(len(requests))]

    def generate_iter(self, requests: Sequence[GenerationRequest],
                      config: GenerationConfig = GenerationConfig()) -> Iterator[tuple[int, Generation]]:
        """Yield `(index, Generation)` as each request completes (not in order).

        On the first request that fails for good, requests not yet sent are cancelled, those in backoff
        are abandoned, those in flight are awaited (and yielded if they succeed), then the error is raised.
        Closing the iterator early (or Ctrl-C) abandons the rest the same way."""
        requests = list(requests)
        if not requests:
            return
        stop = threading.Event()
        pool = ThreadPoolExecutor(max_workers=min(self.max_concurrency, len(requests)),
                                  thread_name_prefix=f"openai-{self.name}")
        futures: dict[Future, int] = {}
        error: BaseException | None = None
        try:
            for i, req in enumerate(requests):
                seeded = config if config.seed is None else dataclasses.replace(config, seed=config.seed_for(i))
                futures[pool.submit(self._generate_guarded, req, seeded, stop)] = i
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=futures.__getitem__):
                    if fut.cancelled():
                        continue
                    exc = fut.exception()
                    if exc is None:
                        yield futures[fut], fut.result()
                    elif isinstance(exc, _Cancelled):
                        continue
                    elif error is None:
                        error = exc
                        stop.set()
                        for other in pending:
                            other.cancel()
            if error is not None:
                raise error
        finally:
            # Normally every future is done by now. If the caller left early (break, Ctrl-C), requests in
            # flight finish in the background, without retries, and their results are dropped.
            stop.set()
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> OpenAITarget:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- one request -----------------------------------------------------------------------------------

    def request_body(self, request: GenerationRequest, config: GenerationConfig) -> dict[str, Any]:
        """The JSON body sent for one request (public so callers and tests can see what goes out)."""
        if request.messages is not None:
            messages = [{"role": m.role, "content": m.content} for m in request.messages]
        else:
            messages = [{"role": "user", "content": request.prompt}]
        body: dict[str, Any] = {"model": self.model_id, "messages": messages}
        if _is_reasoning_model(self.model_id):
            body["max_completion_tokens"] = config.max_new_tokens
        else:
            body["max_tokens"] = config.max_new_tokens
            body["temperature"] = max(0.0, config.temperature)
            if config.top_p != 1.0:  # 1.0 is every API's default; some models refuse temperature and top_p together
                body["top_p"] = config.top_p
        stop = [s for s in config.stop if s]
        if stop:
            body["stop"] = stop[:MAX_API_STOP]
        if config.seed is not None:
            body["seed"] = config.seed
        return body

    def _generate_guarded(self, request: GenerationRequest, config: GenerationConfig,
                          stop: threading.Event) -> Generation:
        try:
            return self._generate_one(request, config, stop)
        except _Cancelled:
            raise
        except BaseException:
            stop.set()  # before this worker picks up the next queued request
            raise

    def _generate_one(self, request: GenerationRequest, config: GenerationConfig,
                      stop: threading.Event) -> Generation:
        body = self.request_body(request, config)
        started = time.monotonic()
        history: list[str] = []  # why each failed attempt failed
        only_connect_errors = True
        last_status: int | None = None
        attempts = 0
        for attempt in range(1, self.max_retries + 2):
            if stop.is_set():
                raise _Cancelled
            attempts = attempt
            retry_after: float | None = None
            with self._slots:
                if stop.is_set():
                    raise _Cancelled
                try:
                    resp = self._client.post(self._url, json=body)
                except httpx.TimeoutException as exc:
                    only_connect_errors = only_connect_errors and isinstance(exc, httpx.ConnectTimeout)
                    history.append(f"timed out after {self.timeout:g} s ({type(exc).__name__})")
                    resp = None
                except httpx.ConnectError as exc:
                    history.append(f"connection failed ({exc})")
                    resp = None
                except (httpx.TransportError, httpx.DecodingError) as exc:
                    # Dropped connections: RemoteProtocolError, ReadError, WriteError, CloseError...
                    only_connect_errors = False
                    history.append(f"connection dropped ({type(exc).__name__}: {exc})")
                    resp = None
            if resp is not None:
                only_connect_errors = False
                last_status = resp.status_code
                if resp.status_code == 200:
                    gen = self._parse_success(resp, config)
                    meta = {**gen.meta, "attempts": attempt, "wall_s": round(time.monotonic() - started, 4)}
                    if history:
                        meta["retried"] = history
                    return Generation(gen.text, gen.tokens_in, gen.tokens_out, gen.finish_reason, meta)
                message, code = _error_message(resp)
                if resp.status_code in RETRY_STATUSES:
                    retry_after = _retry_after(resp.headers)
                    history.append(f"HTTP {resp.status_code}" + (f": {message}" if message else ""))
                else:
                    filtered = self._content_filtered(resp.status_code, message, code)
                    if filtered is not None:
                        meta = {**filtered.meta, "attempts": attempt,
                                "wall_s": round(time.monotonic() - started, 4)}
                        return Generation(filtered.text, None, None, "content_filter", meta)
                    raise self._fatal(resp.status_code, message)
            if attempt > self.max_retries:
                break
            delay = self._backoff(attempt, retry_after)
            if self._sleep is not None:
                self._sleep(delay)
            elif stop.wait(delay):
                raise _Cancelled
        raise self._gave_up(attempts, history, only_connect_errors, last_status)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        if retry_after is not None:
            return min(max(0.0, retry_after), self.backoff_max)
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return random.random() * ceiling  # full jitter

    def _parse_success(self, resp: Any, config: GenerationConfig) -> Generation:
        try:
            data = resp.json()
            choice = data["choices"][0]
            message = choice.get("message") or {}
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise APIError(f"{self.base_url} answered HTTP 200 with a body that is not a chat completion: "
                           f"{resp.text[:200]!r}", status=200, where=f"model {self.name!r}",
                           hint="check that base_url points at an OpenAI-compatible API (usually ending in /v1)")
        text = message.get("content")
        if isinstance(text, list):  # content parts
            text = "".join(p.get("text", "") for p in text if isinstance(p, dict))
        if not text and message.get("refusal"):
            text = message["refusal"]
        text = text or ""
        raw_reason = choice.get("finish_reason")
        reason = _FINISH_MAP.get(str(raw_reason).lower(), "stop") if raw_reason else "stop"
        meta: dict[str, Any] = {}
        if data.get("id"):
            meta["id"] = data["id"]
        if data.get("model"):
            meta["model"] = data["model"]
        if raw_reason and raw_reason != reason:
            meta["provider_finish_reason"] = raw_reason
        if reason == "content_filter" and not text.strip():
            text = REFUSAL_TEXT
        extra_stop = [s for s in config.stop if s]
        if extra_stop:
            text, cut = apply_stop(text, extra_stop)
            if cut:
                reason = "stop"
        usage = data.get("usage") or {}
        return Generation(text.strip(), _int_or_none(usage.get("prompt_tokens")),
                          _int_or_none(usage.get("completion_tokens")), reason, meta)

    def _content_filtered(self, status: int, message: str, code: str) -> Generation | None:
        if status != 400:
            return None
        haystack = f"{code} {message}".lower()
        if not any(w in haystack for w in _FILTER_WORDS):
            return None
        meta = {"provider_status": status, "provider_message": message[:500]}
        if code:
            meta["provider_code"] = code
        return Generation(REFUSAL_TEXT, finish_reason="content_filter", meta=meta)

    def _fatal(self, status: int, message: str) -> HarmbenchError:
        said = f": {message}" if message else ""
        if status in (401, 403):
            source = f"${self.api_key_env}" if self.api_key_env else ("the configured API key" if self.has_api_key
                                                                       else "no API key")
            what = "refused the API key from" if self.has_api_key else "requires an API key but got"
            hint = (f"check the key in ${self.api_key_env} (and that it may use model {self.model_id!r})"
                    if self.api_key_env else
                    "set the key's environment variable and name it in the models.yaml entry as "
                    "api_key_env: YOUR_KEY_VAR")
            if status == 403 and self.has_api_key:
                hint = f"the key works but may not use {self.model_id!r}, or the account lacks access; " + hint
            return ConfigError(f"{self.base_url} {what} {source} (HTTP {status}){said}",
                               where=f"model {self.name!r}", hint=hint)
        if status == 404:
            hint = (f"check model_name_or_path ({self.model_id!r}) and base_url ({self.base_url}; "
                    "OpenAI-compatible servers usually end in /v1)")
        elif status == 400:
            hint = ("the server rejected the request as sent; if the prompt is too long, lower max_new_tokens "
                    "or use a model with a longer context")
        else:
            hint = "the server rejected the request; retrying will not help"
        return APIError(f"{self.base_url} answered HTTP {status} for model {self.model_id!r}{said}",
                        status=status, where=f"model {self.name!r}", hint=hint)

    def _gave_up(self, attempts: int, history: list[str], only_connect: bool,
                 last_status: int | None) -> NetworkError:
        last = history[-1] if history else "unknown error"
        tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
        if only_connect:
            return NetworkError(f"cannot reach {self.base_url}: {last} ({tries})", where=f"model {self.name!r}",
                                hint="is the server running and is base_url right? for a local server start it "
                                     "first (e.g. `vllm serve MODEL --port 8000`); for a hosted API check the "
                                     "network")
        if last_status == 429:
            hint = ("the provider is rate-limiting: lower max_concurrency in the models.yaml entry, or raise "
                    "max_retries; rerunning resumes from the finished work")
        else:
            hint = ("the server kept failing; wait and rerun (finished work is kept), or raise timeout / "
                    "max_retries in the models.yaml entry")
        return NetworkError(f"{self.base_url} failed {tries} for model {self.model_id!r}; last: {last}",
                            where=f"model {self.name!r}", hint=hint)


# ---- helpers -------------------------------------------------------------------------------------------

def _int_or_none(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _error_message(resp: Any) -> tuple[str, str]:
    """(message, code-and-type) from an OpenAI-style error body, or the body's start."""
    try:
        data = resp.json()
    except ValueError:
        return resp.text.strip()[:300], ""
    err = data.get("error", data) if isinstance(data, dict) else data
    if isinstance(err, list) and err:  # Gemini sometimes wraps errors in a list
        err = err[0].get("error", err[0]) if isinstance(err[0], dict) else err[0]
    if isinstance(err, dict):
        message = str(err.get("message") or err.get("detail") or "")[:500]
        code = " ".join(str(err[k]) for k in ("code", "type", "status") if err.get(k))
        return message or json.dumps(err)[:300], code
    return str(err)[:300], ""


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from `retry-after-ms`, or `Retry-After` as seconds or an HTTP date; None if absent/unreadable."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _is_placeholder(token: Any) -> bool:
    if not isinstance(token, str):
        return True
    t = token.strip()
    return not t or (t.startswith("<") and t.endswith(">"))


def openai_target_from_config(cfg: ModelConfig, **overrides: Any) -> OpenAITarget:
    """Build an `OpenAITarget` from a models.yaml entry (`harmbench.config.ModelConfig`).

    Reads `cfg.model`: `model_name_or_path` (the API model id), `base_url`, `api_key_env`,
    `max_concurrency`, `timeout`, `max_retries`, and upstream's `token` (placeholders like
    `<your_openai_token>` are ignored; a real key is used with a warning). `overrides` go to the
    constructor (e.g. `sleep=` in tests)."""
    m = dict(cfg.model)
    where = f"model {cfg.name!r}"
    model_id = m.get("model_name_or_path")
    if not isinstance(model_id, str) or not model_id:
        raise ConfigError("needs model.model_name_or_path (the API's model id)", where=where)
    model_id = MODEL_ID_ALIASES.get(model_id, model_id)
    provider = provider_for(model_id)

    base_url = m.get("base_url")
    if base_url is not None and (not isinstance(base_url, str) or not base_url.startswith(("http://", "https://"))):
        raise ConfigError(f"base_url must be an http(s) URL, not {base_url!r}", where=f"{where}, key model.base_url",
                          hint="e.g. base_url: http://localhost:8000/v1")
    if not base_url:
        if provider is None:
            raise ConfigError(
                f"model {cfg.name!r} ({model_id!r}) is not a known hosted API model, so its server is unknown",
                where=where,
                hint="add base_url under 'model' in its models.yaml entry, e.g. base_url: http://localhost:8000/v1 "
                     "for a `vllm serve` server (known prefixes: gpt-, o1, o3, claude-, gemini, mistral-)")
        base_url = provider.base_url
    base_url = base_url.rstrip("/")
    same_host = provider is not None and urlsplit(base_url).hostname == urlsplit(provider.base_url).hostname

    api_key_env = m.get("api_key_env")
    if api_key_env is not None and (not isinstance(api_key_env, str) or not api_key_env):
        raise ConfigError(f"api_key_env must name an environment variable, not {api_key_env!r}",
                          where=f"{where}, key model.api_key_env", hint="e.g. api_key_env: OPENAI_API_KEY")
    explicit_env = api_key_env is not None
    if api_key_env is None and same_host:
        api_key_env = provider.api_key_env

    api_key = os.environ.get(api_key_env) if api_key_env else None
    token = m.get("token")
    if not _is_placeholder(token):
        warnings.warn(f"{where}: models.yaml holds an API key in 'token'; keys belong in the environment: "
                      f"remove it and set ${api_key_env or 'YOUR_KEY_VAR'} (with api_key_env naming it)",
                      UserWarning, stacklevel=2)
        if not api_key:
            api_key = token.strip()
    if not api_key:
        if explicit_env or (api_key_env and not is_local_url(base_url)):
            raise ConfigError(f"no API key for model {cfg.name!r}: the environment variable ${api_key_env} is not set",
                              where=where,
                              hint=f"export {api_key_env}=... before running (keys are read from the environment, "
                                   "never from models.yaml)")

    def number(key: str, default: Any, kind: type) -> Any:
        value = m.get(key, default)
        ok = isinstance(value, (int, float)) if kind is float else isinstance(value, int)
        if not ok or isinstance(value, bool):
            raise ConfigError(f"{key} must be a {'number' if kind is float else 'whole number'}, not {value!r}",
                              where=f"{where}, key model.{key}")
        return value

    kwargs: dict[str, Any] = dict(
        max_concurrency=number("max_concurrency", 8, int),
        timeout=number("timeout", 60.0, float),
        max_retries=number("max_retries", 6, int),
        api_key_env=api_key_env,
    )
    if "backoff_base" in m:
        kwargs["backoff_base"] = number("backoff_base", 1.0, float)
    if "backoff_max" in m:
        kwargs["backoff_max"] = number("backoff_max", 60.0, float)
    kwargs.update(overrides)
    return OpenAITarget(cfg.name, model_id, base_url, api_key, **kwargs)
