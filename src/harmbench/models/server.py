"""A small OpenAI-compatible chat-completions server in front of any `Target` (stdlib only).

    with serve(target) as server:          # http://127.0.0.1:<free port>/v1
        client = OpenAITarget("t", "any", server.url)

Endpoints: POST /v1/chat/completions, GET /v1/models. Calls to the target go through one worker
thread (local models are not thread-safe); requests that arrive together with the same decoding
settings are passed to `target.generate` as one batch (up to `max_batch_size`).

For tests, `faults` scripts failures: a callable `(RequestInfo) -> Fault | None` consulted per request,
or a sequence of `Fault | None` consumed in arrival order. `ServerHandle.stats` counts, per logical
request (a hash of the messages), how often it was received and how often it was *completed*, i.e.
answered with a real completion that no fault interfered with.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import queue
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from harmbench.errors import ConfigError
from harmbench.models.base import (
    DEFAULT_MAX_NEW_TOKENS,
    Generation,
    GenerationConfig,
    GenerationRequest,
    Message,
    Target,
)

__all__ = ["Fault", "RequestInfo", "ServerHandle", "ServerStats", "request_id", "serve"]

ROLES = ("system", "user", "assistant")


def request_id(messages: list[dict[str, Any]]) -> str:
    """A stable id for one logical request: a hash of its messages."""
    canon = json.dumps([[m.get("role"), m.get("content")] for m in messages], ensure_ascii=False,
                       separators=(",", ":"))
    return hashlib.sha256(canon.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class RequestInfo:
    """What a fault hook sees: the request's id, how many times that id has arrived (1 = first), the body."""

    id: str
    attempt: int
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass(frozen=True)
class Fault:
    """A scripted failure. Build with the class methods."""

    kind: str  # "status" | "stall" | "drop"
    status: int = 0
    message: str = ""
    code: str | None = None
    retry_after: str | None = None
    delay: float = 0.0

    @classmethod
    def rate_limit(cls, retry_after: float | str | None = None) -> Fault:
        """HTTP 429, with `Retry-After` when given (a number of seconds or an HTTP date string)."""
        ra = None if retry_after is None else (retry_after if isinstance(retry_after, str) else f"{retry_after:g}")
        return cls("status", 429, "Rate limit reached (injected)", "rate_limit_exceeded", ra)

    @classmethod
    def server_error(cls, status: int = 500, retry_after: float | str | None = None) -> Fault:
        """A 5xx (500, 502, 503, 504, or 529 for "overloaded")."""
        ra = None if retry_after is None else (retry_after if isinstance(retry_after, str) else f"{retry_after:g}")
        return cls("status", status, f"injected server error {status}", "server_error", ra)

    @classmethod
    def stall(cls, delay: float) -> Fault:
        """Wait `delay` seconds (longer than the client's timeout), then answer normally — too late.
        The late answer is counted in `stats.late`, not as a completion."""
        return cls("stall", delay=delay)

    @classmethod
    def drop(cls) -> Fault:
        """Read the request, then close the connection without any response."""
        return cls("drop")

    @classmethod
    def unauthorized(cls, status: int = 401) -> Fault:
        return cls("status", status, "Incorrect API key provided (injected)", "invalid_api_key")

    @classmethod
    def content_filter(cls) -> Fault:
        """HTTP 400 the way Azure/OpenAI report a prompt blocked by the content filter."""
        return cls("status", 400, "The response was filtered due to the prompt triggering the content management "
                                  "policy (injected)", "content_filter")

    @classmethod
    def bad_request(cls, message: str = "injected bad request", status: int = 400) -> Fault:
        return cls("status", status, message, "invalid_request_error")


FaultHook = Callable[[RequestInfo], "Fault | None"]


@dataclass
class ServerStats:
    """Counters, per logical request id, kept under a lock (read them after the client is done)."""

    received: Counter = field(default_factory=Counter)        # requests that arrived, per id
    completed: Counter = field(default_factory=Counter)       # real completions answered without a fault
    completion_ids: dict[str, list[str]] = field(default_factory=dict)  # response ids of those completions
    late: Counter = field(default_factory=Counter)            # completions answered after a stall fault
    faults: Counter = field(default_factory=Counter)          # injected faults by kind/status
    total: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    batches: list[int] = field(default_factory=list)          # sizes of the batches given to the target
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class _Batcher:
    """One worker thread that owns the target: groups queued requests with equal configs into batches."""

    def __init__(self, target: Target, max_batch_size: int, batch_wait: float, stats: ServerStats):
        self.target = target
        self.max_batch_size = max(1, max_batch_size)
        self.batch_wait = batch_wait
        self.stats = stats
        self.queue: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="harmbench-serve-target", daemon=True)
        self.thread.start()

    def submit(self, request: GenerationRequest, config: GenerationConfig) -> Future:
        fut: Future = Future()
        self.queue.put((request, config, fut))
        return fut

    def close(self) -> None:
        self.queue.put(None)

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            items = [item]
            deadline = time.monotonic() + self.batch_wait
            closing = False
            while len(items) < self.max_batch_size:
                try:
                    nxt = self.queue.get(timeout=max(0.0, deadline - time.monotonic())) if self.batch_wait \
                        else self.queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    closing = True
                    break
                items.append(nxt)
            groups: dict[GenerationConfig, list] = {}
            for it in items:
                groups.setdefault(it[1], []).append(it)
            for config, group in groups.items():
                with self.stats.lock:
                    self.stats.batches.append(len(group))
                try:
                    gens = self.target.generate([g[0] for g in group], config)
                    if len(gens) != len(group):
                        raise RuntimeError(f"target returned {len(gens)} generations for {len(group)} requests")
                except BaseException as exc:  # noqa: BLE001 - reported to each waiting request
                    for g in group:
                        g[2].set_exception(exc)
                else:
                    for g, gen in zip(group, gens):
                        g[2].set_result(gen)
            if closing:
                return


class ServerHandle:
    """A running server: `.url` (ends in /v1), `.stats`, `.close()`; also a context manager."""

    def __init__(self, httpd: ThreadingHTTPServer, thread: threading.Thread, batcher: _Batcher,
                 stats: ServerStats, closing: threading.Event):
        self._httpd = httpd
        self._thread = thread
        self._batcher = batcher
        self._closing = closing
        self.stats = stats
        host, port = httpd.server_address[:2]
        self.host = host
        self.port = port
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{port}/v1"

    def close(self) -> None:
        if self._closing.is_set():
            return
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._batcher.close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ServerHandle(url={self.url!r})"


class _BadRequest(Exception):
    def __init__(self, message: str, status: int = 400, code: str = "invalid_request_error"):
        super().__init__(message)
        self.status = status
        self.code = code


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for p in content:
            if isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str):
                parts.append(p["text"])
            else:
                raise _BadRequest("only text content parts are supported by this server")
        return "".join(parts)
    if content is None:
        return ""
    raise _BadRequest("message content must be a string or a list of text parts")


def _parse_body(body: Any) -> tuple[GenerationRequest, GenerationConfig, list[dict]]:
    if not isinstance(body, dict):
        raise _BadRequest("the request body must be a JSON object")
    if body.get("stream"):
        raise _BadRequest("streaming is not supported by this server; send stream: false")
    if body.get("n", 1) != 1:
        raise _BadRequest("only n = 1 is supported")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _BadRequest("'messages' must be a non-empty list of {role, content}")
    msgs = []
    for m in messages:
        if not isinstance(m, dict) or m.get("role") not in ROLES:
            raise _BadRequest(f"each message needs a role in {ROLES} and a content")
        msgs.append(Message(m["role"], _content_text(m.get("content"))))
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    if max_tokens is None:
        max_tokens = DEFAULT_MAX_NEW_TOKENS
    stop = body.get("stop") or ()
    if isinstance(stop, str):
        stop = (stop,)
    try:
        config = GenerationConfig(
            max_new_tokens=int(max_tokens),
            temperature=float(body["temperature"]) if body.get("temperature") is not None else 0.0,
            top_p=float(body["top_p"]) if body.get("top_p") is not None else 1.0,
            stop=tuple(str(s) for s in stop),
            seed=int(body["seed"]) if body.get("seed") is not None else None,
        )
    except (TypeError, ValueError) as exc:
        raise _BadRequest(f"bad decoding parameter: {exc}") from None
    if config.max_new_tokens < 1:
        raise _BadRequest("max_tokens must be at least 1")
    return GenerationRequest(messages=tuple(msgs)), config, messages


def serve(
    target: Target,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    model_name: str | None = None,
    api_key: str | None = None,
    faults: FaultHook | Iterable[Fault | None] | None = None,
    max_batch_size: int = 8,
    batch_wait: float = 0.0,
) -> ServerHandle:
    """Serve `target` over HTTP in background threads; returns at once with the bound address.

    `port=0` picks a free port. `api_key`, when set, is required as `Authorization: Bearer ...`
    (otherwise HTTP 401). `max_batch_size=1` calls the target one request at a time. `batch_wait`
    seconds lets the worker wait for more requests to batch (0: batch only what is already queued)."""
    stats = ServerStats()
    closing = threading.Event()
    batcher = _Batcher(target, max_batch_size, batch_wait, stats)
    served_model = model_name or getattr(target, "name", "model")
    counter = itertools.count(1)
    fault_lock = threading.Lock()
    if faults is None or callable(faults):
        hook = faults
    else:
        script = deque(faults)

        def hook(info: RequestInfo) -> Fault | None:
            with fault_lock:
                return script.popleft() if script else None

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "harmbench-serve"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            pass

        def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()

        def _send_error(self, status: int, message: str, code: str | None = None,
                        headers: dict[str, str] | None = None) -> None:
            kind = "invalid_request_error" if status < 500 else "server_error"
            self._send_json(status, {"error": {"message": message, "type": kind, "param": None, "code": code}},
                            headers)

        def _path(self) -> str:
            path = self.path.split("?", 1)[0].rstrip("/")
            return path[3:] if path.startswith("/v1/") else path

        def _authorized(self) -> bool:
            if api_key is None:
                return True
            if self.headers.get("Authorization", "") == f"Bearer {api_key}":
                return True
            self._send_error(401, "Incorrect API key provided", "invalid_api_key")
            return False

        def do_GET(self) -> None:  # noqa: N802
            if self._path() != "/models":
                self._send_error(404, f"no such endpoint: GET {self.path}", "not_found")
                return
            if not self._authorized():
                return
            self._send_json(200, {"object": "list", "data": [
                {"id": served_model, "object": "model", "created": 0, "owned_by": "harmbench"}]})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if self._path() != "/chat/completions":
                self._send_error(404, f"no such endpoint: POST {self.path}", "not_found")
                return
            with stats.lock:
                stats.total += 1
                stats.in_flight += 1
                stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
            try:
                self._chat(raw)
            finally:
                with stats.lock:
                    stats.in_flight -= 1

        def _chat(self, raw: bytes) -> None:
            try:
                body = json.loads(raw or b"null")
                request, config, messages = _parse_body(body)
            except json.JSONDecodeError as exc:
                self._send_error(400, f"the body is not valid JSON: {exc}")
                return
            except _BadRequest as exc:
                self._send_error(exc.status, str(exc), exc.code)
                return
            rid = request_id(messages)
            with stats.lock:
                stats.received[rid] += 1
                attempt = stats.received[rid]
            if not self._authorized():
                return
            fault = hook(RequestInfo(rid, attempt, body, dict(self.headers.items()))) if hook else None
            if fault is not None:
                with stats.lock:
                    stats.faults[fault.kind if fault.kind != "status" else str(fault.status)] += 1
                if fault.kind == "drop":
                    self.close_connection = True
                    return
                if fault.kind == "status":
                    headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else None
                    self._send_error(fault.status, fault.message, fault.code, headers)
                    return
                if fault.kind == "stall":
                    closing.wait(fault.delay)
                    if closing.is_set():
                        self.close_connection = True
                        return
            try:
                gen: Generation = batcher.submit(request, config).result()
            except Exception as exc:  # noqa: BLE001
                self._send_error(500, f"the model failed: {type(exc).__name__}: {exc}", "model_error")
                return
            if gen.finish_reason == "error":
                self._send_error(500, f"the model failed: {gen.text[:300]}", "model_error")
                return
            cid = f"chatcmpl-hb{next(counter)}"
            usage = None
            if gen.tokens_in is not None or gen.tokens_out is not None:
                tin, tout = gen.tokens_in or 0, gen.tokens_out or 0
                usage = {"prompt_tokens": tin, "completion_tokens": tout, "total_tokens": tin + tout}
            payload = {
                "id": cid,
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model") or served_model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": gen.text},
                             "finish_reason": gen.finish_reason, "logprobs": None}],
                "usage": usage,
            }
            if fault is not None:  # a stalled answer: the client has (normally) given up on it
                with stats.lock:
                    stats.late[rid] += 1
                try:
                    self._send_json(200, payload)
                except OSError:
                    pass
                self.close_connection = True
                return
            try:
                self._send_json(200, payload)
            except OSError:
                self.close_connection = True
                return
            with stats.lock:
                stats.completed[rid] += 1
                stats.completion_ids.setdefault(rid, []).append(cid)

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True
        request_queue_size = 128  # the default backlog (5) drops connections a concurrent client opens at once
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    try:
        httpd = Server((host, port), Handler)
    except OSError as exc:
        batcher.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                          hint="choose another port (0 picks a free one) or stop what is using it") from None
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              name="harmbench-serve-http", daemon=True)
    thread.start()
    return ServerHandle(httpd, thread, batcher, stats, closing)
