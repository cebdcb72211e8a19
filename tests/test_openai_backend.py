"""The openai backend against the project's own OpenAI-compatible server, on loopback (127.0.0.1) only.

The served model is `EchoStandIn`, a deterministic stand-in Target defined here (it answers
"Sure, here is " + the reversed prompt); no test reaches the network.
"""

from __future__ import annotations

import email.utils
import socket
import threading
import time
import warnings

import httpx
import pytest

from harmbench.config import ModelConfig
from harmbench.errors import ConfigError, HarmbenchError, NetworkError
from harmbench.models.base import Generation, GenerationConfig, GenerationRequest, apply_stop
from harmbench.models.openai_api import (
    REFUSAL_TEXT,
    APIError,
    OpenAITarget,
    _retry_after,
    openai_target_from_config,
)
from harmbench.models.server import Fault, request_id, serve

HOST = "127.0.0.1"


class EchoStandIn:
    """Stand-in model: "Sure, here is " + reversed prompt; one word = one token."""

    name = "echo-standin"

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.configs: list[GenerationConfig] = []
        self.requests: list[GenerationRequest] = []
        self.lock = threading.Lock()

    @staticmethod
    def answer(prompt: str) -> str:
        return "Sure, here is " + prompt[::-1]

    def generate(self, requests, config=GenerationConfig()):
        with self.lock:
            self.configs.append(config)
            self.requests.extend(requests)
        if self.delay:
            time.sleep(self.delay)
        out = []
        for req in requests:
            prompt = req.prompt if req.prompt is not None else req.messages[-1].content
            text, cut = apply_stop(self.answer(prompt), config.stop)
            words = text.split(" ")
            reason = "stop"
            if len(words) > config.max_new_tokens:
                text, reason = " ".join(words[: config.max_new_tokens]), "length"
            out.append(Generation(text, len(prompt.split()), len(text.split()), reason))
        return out

    def close(self):
        pass


def client(url: str, **kw) -> OpenAITarget:
    kw = {"max_retries": 4, "timeout": 2.0, "backoff_base": 0.01, "backoff_max": 0.05, **kw}
    return OpenAITarget("standin", "echo-standin", url, **kw)


def rid_of(text: str) -> str:
    return request_id([{"role": "user", "content": text}])


@pytest.fixture
def model():
    return EchoStandIn()


def test_round_trip(model):
    with serve(model, HOST) as server, client(server.url) as t:
        assert server.url.startswith("http://127.0.0.1:") and server.url.endswith("/v1")
        [gen] = t.generate([GenerationRequest.user("hello there", system="be nice")])
        assert gen.text == "Sure, here is ereht olleh"
        assert (gen.tokens_in, gen.tokens_out, gen.finish_reason) == (2, 5, "stop")
        assert gen.meta["attempts"] == 1 and gen.meta["wall_s"] >= 0
        assert model.requests[0].messages[0].role == "system"
        # a raw prompt goes out as one user message
        [raw] = t.generate([GenerationRequest.raw("abc")])
        assert raw.text == "Sure, here is cba"
        assert model.requests[-1].messages == (model.requests[-1].messages[0],)
        assert model.requests[-1].messages[0].role == "user"


def test_batch_of_40_with_faults_no_loss_no_duplicates(model):
    prompts = [f"request number {i}" for i in range(40)]
    index = {rid_of(p): i for i, p in enumerate(prompts)}
    plans = {  # per request (i % 8): the fault for attempt 1, 2, ...
        0: [Fault.rate_limit(retry_after=0.05)],
        1: [Fault.server_error(500)],
        2: [Fault.stall(1.3)],                 # longer than the client's 1 s timeout
        3: [Fault.drop()],
        4: [Fault.server_error(503), Fault.drop()],
        5: [Fault.server_error(529), Fault.rate_limit()],
        6: [Fault.server_error(502)],
        7: [],
    }

    def faults(info):
        plan = plans[index[info.id] % 8]
        return plan[info.attempt - 1] if info.attempt <= len(plan) else None

    with serve(model, HOST, faults=faults) as server, client(server.url, timeout=1.0, max_concurrency=8) as t:
        started = time.monotonic()
        gens = t.generate([GenerationRequest.user(p) for p in prompts])
        elapsed = time.monotonic() - started
        time.sleep(0.5)  # let the stalled answers land (they must not count as completions)
    stats = server.stats
    assert [g.text for g in gens] == [EchoStandIn.answer(p) for p in prompts]
    for i, (p, g) in enumerate(zip(prompts, gens)):
        rid = rid_of(p)
        expected_attempts = len(plans[i % 8]) + 1
        assert stats.received[rid] == expected_attempts, (i, g.meta)
        assert g.meta["attempts"] >= expected_attempts  # (more only if a connection failed before the server)
        assert stats.completed[rid] == 1, f"request {i} completed {stats.completed[rid]} times"
        assert stats.completion_ids[rid] == [g.meta["id"]]  # the client kept the one real answer
    assert sum(stats.completed.values()) == 40
    assert stats.total <= sum(g.meta["attempts"] for g in gens)
    assert stats.faults["drop"] == 10 and stats.faults["stall"] == 5 and stats.faults["429"] == 10
    assert sum(stats.late.values()) == 5
    assert stats.max_in_flight <= 8
    assert elapsed < 10


def test_retry_after_seconds_is_honoured_with_fake_sleep(model):
    slept: list[float] = []
    faults = [Fault.rate_limit(retry_after=3), Fault.rate_limit(retry_after=120), None]
    with serve(model, HOST, faults=faults) as server, \
            client(server.url, backoff_max=30.0, sleep=slept.append) as t:
        [gen] = t.generate([GenerationRequest.user("x")])
    assert gen.text == "Sure, here is x" and gen.meta["attempts"] == 3
    assert slept == [3.0, 30.0]  # Retry-After as given, capped at backoff_max
    assert "HTTP 429" in gen.meta["retried"][0]


def test_retry_after_real_delay(model):
    with serve(model, HOST, faults=[Fault.rate_limit(retry_after=0.3)]) as server, \
            client(server.url, backoff_max=5.0) as t:
        started = time.monotonic()
        [gen] = t.generate([GenerationRequest.user("y")])
        assert time.monotonic() - started >= 0.3
    assert gen.meta["attempts"] == 2


def test_retry_after_http_date_and_ms():
    future = email.utils.formatdate(time.time() + 10, usegmt=True)
    assert 8.5 <= _retry_after(httpx.Headers({"Retry-After": future})) <= 10.5
    past = email.utils.formatdate(time.time() - 100, usegmt=True)
    assert _retry_after(httpx.Headers({"Retry-After": past})) == 0.0
    assert _retry_after(httpx.Headers({"Retry-After": "7"})) == 7.0
    assert _retry_after(httpx.Headers({"retry-after-ms": "250", "Retry-After": "1"})) == 0.25
    assert _retry_after(httpx.Headers({"Retry-After": "soon"})) is None
    assert _retry_after(httpx.Headers({})) is None


def test_exponential_backoff_with_full_jitter(model, monkeypatch):
    import harmbench.models.openai_api as api

    monkeypatch.setattr(api.random, "random", lambda: 1.0)  # the jitter's upper bound
    slept: list[float] = []
    faults = [Fault.server_error(500)] * 5
    with serve(model, HOST, faults=faults) as server, \
            client(server.url, max_retries=6, backoff_base=1.0, backoff_max=10.0, sleep=slept.append) as t:
        [gen] = t.generate([GenerationRequest.user("z")])
    assert slept == [1.0, 2.0, 4.0, 8.0, 10.0]
    assert gen.meta["attempts"] == 6
    monkeypatch.setattr(api.random, "random", lambda: 0.25)
    assert t._backoff(3, None) == 1.0  # 0.25 * 4


def test_gives_up_after_max_retries(model):
    with serve(model, HOST, faults=lambda info: Fault.server_error(503)) as server, \
            client(server.url, max_retries=3) as t:
        with pytest.raises(NetworkError) as err:
            t.generate([GenerationRequest.user("never")])
    assert server.stats.total == 4
    msg = str(err.value)
    assert server.url in msg and "HTTP 503" in msg and "4 attempts" in msg and "hint:" in msg
    assert err.value.exit_code == 3


def test_rate_limit_exhaustion_suggests_lower_concurrency(model):
    with serve(model, HOST, faults=lambda info: Fault.rate_limit()) as server, \
            client(server.url, max_retries=1) as t:
        with pytest.raises(NetworkError, match="max_concurrency"):
            t.generate([GenerationRequest.user("busy")])


def test_401_fails_at_once_without_retry(model):
    with serve(model, HOST, faults=lambda info: Fault.unauthorized()) as server, \
            client(server.url, api_key="sk-test-not-real", api_key_env="OPENAI_API_KEY", max_concurrency=1) as t:
        with pytest.raises(ConfigError) as err:
            t.generate([GenerationRequest.user(f"q{i}") for i in range(5)])
    assert server.stats.total == 1  # no retry, and the rest of the batch was cancelled
    msg = str(err.value)
    assert "refused the API key from $OPENAI_API_KEY (HTTP 401)" in msg and "check the key" in msg
    assert "sk-test-not-real" not in msg


def test_real_key_check_403_and_wrong_key(model):
    with serve(model, HOST, api_key="right-key") as server:
        with client(server.url, api_key="wrong-key", api_key_env="MY_KEY") as t:
            with pytest.raises(ConfigError, match=r"\$MY_KEY \(HTTP 401\)"):
                t.generate([GenerationRequest.user("a")])
            assert "wrong-key" not in repr(t)
        with client(server.url) as t:
            with pytest.raises(ConfigError, match="requires an API key"):
                t.generate([GenerationRequest.user("a")])
        with client(server.url, api_key="right-key") as t:
            assert t.generate([GenerationRequest.user("a")])[0].text == "Sure, here is a"
    assert server.stats.total == 3


def test_content_filter_is_a_generation_not_a_crash(model):
    blocked = rid_of("blocked one")

    def faults(info):
        return Fault.content_filter() if info.id == blocked else None

    with serve(model, HOST, faults=faults) as server, client(server.url) as t:
        gens = t.generate([GenerationRequest.user(p) for p in ("fine one", "blocked one", "fine two")])
    assert [g.finish_reason for g in gens] == ["stop", "content_filter", "stop"]
    assert gens[1].text == REFUSAL_TEXT
    assert "content management policy" in gens[1].meta["provider_message"]
    assert gens[1].meta["attempts"] == 1 and server.stats.received[blocked] == 1
    assert gens[0].text == "Sure, here is eno enif"


def test_content_filter_finish_reason_from_a_200(model):
    class Filtering(EchoStandIn):
        def generate(self, requests, config=GenerationConfig()):
            return [Generation("", 3, 0, "content_filter") for _ in requests]

    with serve(Filtering(), HOST) as server, client(server.url) as t:
        [gen] = t.generate([GenerationRequest.user("anything")])
    assert gen.finish_reason == "content_filter" and gen.text == REFUSAL_TEXT and gen.tokens_in == 3


def test_other_4xx_is_a_clear_error_and_generate_iter_keeps_finished_work(model):
    bad = rid_of("too long")

    def faults(info):
        return Fault.bad_request("This model's maximum context length is 8 tokens") if info.id == bad else None

    prompts = ["ok 0", "ok 1", "too long", "ok 3"]
    with serve(model, HOST, faults=faults) as server, client(server.url, max_concurrency=1) as t:
        got = {}
        with pytest.raises(APIError) as err:
            for i, gen in t.generate_iter([GenerationRequest.user(p) for p in prompts]):
                got[i] = gen.text
        assert got == {0: "Sure, here is 0 ko", 1: "Sure, here is 1 ko"}  # committed before the failure
        assert err.value.status == 400 and "maximum context length is 8 tokens" in str(err.value)
        assert server.stats.received[bad] == 1  # no retry on a 400
        assert server.stats.received[rid_of("ok 3")] == 0  # the rest was cancelled
        with pytest.raises(HarmbenchError) as err2:
            t.generate([GenerationRequest.user(p) for p in prompts])
        assert sorted(err2.value.completed) == [0, 1]


def test_404_names_model_and_base_url(model):
    with serve(model, HOST) as server:
        with OpenAITarget("x", "m", server.url.removesuffix("/v1") + "/wrong", max_retries=0) as t:
            with pytest.raises(APIError, match="HTTP 404") as err:
                t.generate([GenerationRequest.user("a")])
    assert "base_url" in str(err.value)


def test_unreachable_server_is_a_network_error():
    with socket.socket() as s:
        s.bind((HOST, 0))
        port = s.getsockname()[1]
    slept = []
    with client(f"http://{HOST}:{port}/v1", max_retries=2, sleep=slept.append) as t:
        with pytest.raises(NetworkError) as err:
            t.generate([GenerationRequest.user("anyone there?")])
    assert f"cannot reach http://{HOST}:{port}/v1" in str(err.value)
    assert "3 attempts" in str(err.value) and len(slept) == 2


def test_concurrency_bound_is_respected():
    slow = EchoStandIn(delay=0.03)
    with serve(slow, HOST, max_batch_size=1) as server, client(server.url, max_concurrency=3) as t:
        gens = t.generate([GenerationRequest.user(f"c{i}") for i in range(18)])
        assert [g.text for g in gens] == [EchoStandIn.answer(f"c{i}") for i in range(18)]
        assert server.stats.max_in_flight == 3  # used fully, never exceeded
        # two generate calls on one target from two threads still share the bound
        server.stats.max_in_flight = 0
        threads = [threading.Thread(target=t.generate, args=([GenerationRequest.user(f"d{k}{i}") for i in range(6)],))
                   for k in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert server.stats.max_in_flight <= 3


def test_server_batches_concurrent_requests():
    slow = EchoStandIn(delay=0.05)
    with serve(slow, HOST, max_batch_size=8) as server, client(server.url, max_concurrency=8) as t:
        gens = t.generate([GenerationRequest.user(f"b{i}") for i in range(16)])
    assert [g.text for g in gens] == [EchoStandIn.answer(f"b{i}") for i in range(16)]
    assert sum(server.stats.batches) == 16 and max(server.stats.batches) > 1


def test_stop_max_tokens_seed_passed_through(model):
    with serve(model, HOST) as server, client(server.url) as t:
        cfg = GenerationConfig(max_new_tokens=4, temperature=0.0, top_p=0.9, stop=("QQ",), seed=7)
        long_, stopped = t.generate([GenerationRequest.user("a b c d e f g"),
                                     GenerationRequest.user("xQQy")], cfg)
        seen = model.configs[-1]
        assert (seen.max_new_tokens, seen.temperature, seen.top_p, seen.stop) == (4, 0.0, 0.9, ("QQ",))
        # each request of a call gets its own seed (seed + index), so identical requests differ
        assert sorted(c.seed for c in model.configs[-2:]) == [7, 8]
        assert long_.finish_reason == "length" and long_.text == "Sure, here is g"
        assert stopped.text == "Sure, here is y" and stopped.finish_reason == "stop"
        # more than the API's 4 stop strings: the first 4 are sent, the rest applied to the returned text
        many = GenerationConfig(stop=("s1", "s2", "s3", "s4", "ZZ"))
        body = t.request_body(GenerationRequest.user("a"), many)
        assert body["stop"] == ["s1", "s2", "s3", "s4"] and "seed" not in body
        assert body["max_tokens"] == 512 and body["temperature"] == 0.0 and "top_p" not in body
        [cut] = t.generate([GenerationRequest.user("aZZb")], many)
        assert cut.text == "Sure, here is b" and cut.finish_reason == "stop"


def test_reasoning_models_get_max_completion_tokens():
    t = OpenAITarget("o", "o3-mini", "http://127.0.0.1:9/v1")
    body = t.request_body(GenerationRequest.user("a"), GenerationConfig(max_new_tokens=9))
    assert body["max_completion_tokens"] == 9 and "max_tokens" not in body and "temperature" not in body
    t.close()


def test_server_endpoints_and_bad_requests(model):
    with serve(model, HOST, model_name="served") as server, httpx.Client(base_url=server.url, trust_env=False) as c:
        models = c.get("/models").json()
        assert models["data"][0]["id"] == "served"
        r = c.post("/chat/completions", json={"messages": [{"role": "user", "content": "hi"}]})
        data = r.json()
        assert r.status_code == 200 and data["choices"][0]["message"]["content"] == "Sure, here is ih"
        assert data["usage"] == {"prompt_tokens": 1, "completion_tokens": 4, "total_tokens": 5}
        assert data["model"] == "served" and data["choices"][0]["finish_reason"] == "stop"
        for bad in ({"messages": []}, {"messages": [{"role": "user", "content": "x"}], "stream": True},
                    {"messages": [{"role": "robot", "content": "x"}]}):
            r = c.post("/chat/completions", json=bad)
            assert r.status_code == 400 and r.json()["error"]["message"]
        r = c.post("/chat/completions", content=b"{not json")
        assert r.status_code == 400
        assert c.post("/nope", json={}).status_code == 404


def test_model_failure_is_a_500(model):
    class Broken(EchoStandIn):
        def generate(self, requests, config=GenerationConfig()):
            raise RuntimeError("out of memory")

    with serve(Broken(), HOST) as server, client(server.url, max_retries=1) as t:
        with pytest.raises(NetworkError, match="out of memory"):
            t.generate([GenerationRequest.user("a")])


# ---- building targets from models.yaml entries (no network) ----------------------------------------------

def cfg(name, **model):
    return ModelConfig(name, model, "closed_source")


@pytest.mark.parametrize("model_id, env, url", [
    ("gpt-4-0613", "OPENAI_API_KEY", "https://api.openai.com/v1"),
    ("o1-preview", "OPENAI_API_KEY", "https://api.openai.com/v1"),
    ("claude-2.1", "ANTHROPIC_API_KEY", "https://api.anthropic.com/v1"),
    ("gemini-pro", "GEMINI_API_KEY", "https://generativelanguage.googleapis.com/v1beta/openai"),
    ("mistral-medium", "MISTRAL_API_KEY", "https://api.mistral.ai/v1"),
])
def test_provider_defaults_and_missing_key(monkeypatch, model_id, env, url):
    monkeypatch.delenv(env, raising=False)
    with pytest.raises(ConfigError) as err:
        openai_target_from_config(cfg(model_id, model_name_or_path=model_id, token=f"<your_{env.lower()}>"))
    assert f"${env} is not set" in str(err.value) and f"export {env}=" in str(err.value)
    monkeypatch.setenv(env, "k-from-env")
    t = openai_target_from_config(cfg(model_id, model_name_or_path=model_id))
    assert (t.base_url, t.api_key_env, t.has_api_key) == (url, env, True)
    assert "k-from-env" not in repr(t)
    t.close()


def test_upstream_gemini_alias_and_options(monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "g")
    t = openai_target_from_config(cfg("gemini", model_name_or_path="gemini", max_concurrency=2, timeout=5,
                                      max_retries=1))
    assert (t.model_id, t.max_concurrency, t.timeout, t.max_retries) == ("gemini-pro", 2, 5.0, 1)
    t.close()


def test_unknown_model_needs_base_url():
    with pytest.raises(ConfigError, match="add base_url") as err:
        openai_target_from_config(cfg("my_llama", model_name_or_path="meta-llama/Llama-2-7b-chat-hf"))
    assert "my_llama" in str(err.value)


def test_local_server_needs_no_key_but_a_named_env_must_be_set(monkeypatch):
    t = openai_target_from_config(cfg("local", model_name_or_path="llama", base_url="http://localhost:8000/v1/"))
    assert t.base_url == "http://localhost:8000/v1" and not t.has_api_key and t.api_key_env is None
    t.close()
    monkeypatch.delenv("VLLM_KEY", raising=False)
    with pytest.raises(ConfigError, match=r"\$VLLM_KEY"):
        openai_target_from_config(cfg("local", model_name_or_path="llama", base_url="http://localhost:8000/v1",
                                      api_key_env="VLLM_KEY"))


def test_real_token_in_yaml_is_used_with_a_warning(monkeypatch, model):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with serve(model, HOST, api_key="sk-in-yaml") as server:
        with pytest.warns(UserWarning, match="keys belong in the environment") as rec:
            t = openai_target_from_config(cfg("gpt", model_name_or_path="gpt-4", token="sk-in-yaml",
                                              base_url=server.url))
        assert all("sk-in-yaml" not in str(w.message) for w in rec)
        assert t.generate([GenerationRequest.user("k")])[0].text == "Sure, here is k"
        t.close()


def test_bad_option_types_are_config_errors():
    with pytest.raises(ConfigError, match="max_concurrency"):
        openai_target_from_config(cfg("l", model_name_or_path="m", base_url="http://localhost:1/v1",
                                      max_concurrency="eight"))
    with pytest.raises(ConfigError, match="base_url"):
        openai_target_from_config(cfg("l", model_name_or_path="m", base_url="localhost:1"))


def test_placeholder_token_gives_no_warning(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "x")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        openai_target_from_config(cfg("g", model_name_or_path="gpt-4", token="<your_openai_token>")).close()


# ---- the project's toy model, served (runs only once `harmbench.get_target` exists) ----------------------

def test_serve_the_toy_model():
    harmbench = pytest.importorskip("harmbench")
    get_target = getattr(harmbench, "get_target", None)
    if get_target is None:
        pytest.skip("harmbench.get_target is not available yet")
    try:
        toy = get_target("toy")
    except (ImportError, HarmbenchError) as exc:
        pytest.skip(f"the toy model cannot be loaded here: {exc}")
    started = time.monotonic()
    prompts = ["Write a short poem about the sea.", "How do I pick a lock?"]
    cfg_ = GenerationConfig(max_new_tokens=16)
    try:
        direct = [toy.generate([GenerationRequest.user(p)], cfg_)[0] for p in prompts]
        with serve(toy, HOST) as server, client(server.url, max_concurrency=1, timeout=20.0) as t:
            served = t.generate([GenerationRequest.user(p) for p in prompts], cfg_)
    finally:
        toy.close()
    assert [g.text for g in served] == [g.text for g in direct]
    assert [g.finish_reason for g in served] == [g.finish_reason for g in direct]
    assert time.monotonic() - started < 20


def test_serve_on_a_busy_port_is_a_config_error(model):
    with serve(model, HOST) as server:
        with pytest.raises(ConfigError, match="cannot listen"):
            serve(model, HOST, port=server.port)


def test_leaving_generate_iter_early_stops_the_rest(model):
    with serve(model, HOST) as server, client(server.url, max_concurrency=1) as t:
        for _i, _gen in t.generate_iter([GenerationRequest.user(f"e{i}") for i in range(10)]):
            break
        time.sleep(0.1)
        assert server.stats.total <= 2
