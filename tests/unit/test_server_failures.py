"""Every way a model server can fail is one sentence (a ServerError), never a hang or a traceback.

A tiny local HTTP stub plays the broken server; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from llama_server import free_port

from consensus_desktop.engine.errors import GenerationCancelled
from consensus_desktop.engine.factory import ModelSpec, open_backend
from consensus_desktop.engine.server import ServerBackend, ServerSpec
from consensus_desktop.engine.server_http import Endpoint
from consensus_desktop.engine.types import Candidate, SamplingParams
from consensus_desktop.errors import ServerError
from consensus_desktop.prompts import JURY_ZERO_SHOT

MODELS = {"object": "list", "data": [{"id": "stub-model"}, {"id": "stub-chat-instruct"}]}
STATEMENT = "We agree that schools need lower limits and better crossings."


class Stub:
    """Behaviour per path: (status, body bytes, content type), or a callable for streams."""

    def __init__(self) -> None:
        self.routes: dict[str, Any] = {"/v1/models": (200, json.dumps(MODELS).encode(), "json")}
        self.hits: dict[str, int] = {}
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _serve(self) -> None:
                path = self.path
                stub.hits[path] = stub.hits.get(path, 0) + 1
                stub.headers.append(dict(self.headers))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    stub.bodies.append(json.loads(self.rfile.read(length)))
                route = stub.routes.get(path, (404, b'{"error": "no such route"}', "json"))
                if callable(route):
                    route(self)
                    return
                status, body, kind = route
                self.send_response(status)
                ctype = {"json": "application/json", "text": "text/html"}[kind]
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = _serve
            do_POST = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def stub() -> Iterator[Stub]:
    s = Stub()
    yield s
    s.close()


def sse(
    handler: BaseHTTPRequestHandler, chunks: list[str], stall: float = 0.0, finish: bool = True
) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.end_headers()
    for i, piece in enumerate(chunks):
        event = {"choices": [{"text": piece, "index": 0, "finish_reason": None}]}
        handler.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
        handler.wfile.flush()
        if stall and i == 0:
            time.sleep(stall)
    if finish:
        event = {"choices": [{"text": "", "index": 0, "finish_reason": "length"}]}
        handler.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
    handler.wfile.write(b"data: [DONE]\n\n")


def backend(stub: Stub, **kw: Any) -> ServerBackend:
    b = open_backend(ModelSpec(server=ServerSpec(stub.url, **kw)))
    assert isinstance(b, ServerBackend)
    return b


def generate(b: ServerBackend, n: int = 2, **kw: Any) -> list[object]:
    plan = JURY_ZERO_SHOT.plan("Lower the speed limit?", ["Yes near schools.", "No."])
    return list(b.generate_candidates(b.prepare(plan), n, SamplingParams(max_tokens=20), **kw))


def sentence(exc: pytest.ExceptionInfo[BaseException]) -> str:
    text = str(exc.value)
    assert "\n" not in text and text.endswith((".", "?")) and len(text) < 300, text
    return text


def test_nothing_listening_is_one_sentence_fast() -> None:
    start = time.monotonic()
    with pytest.raises(ServerError) as exc:
        open_backend(ModelSpec(server=ServerSpec(f"http://127.0.0.1:{free_port()}/v1")))
    assert "Nothing answers" in sentence(exc)
    assert time.monotonic() - start < 5


def test_wrong_urls() -> None:
    with pytest.raises(ServerError) as exc:
        Endpoint.parse("ftp://example.org/v1")
    assert "not a server URL" in sentence(exc)
    with pytest.raises(ServerError) as exc:
        open_backend(ModelSpec(server=ServerSpec("http://no-such-host.invalid/v1")))
    assert "cannot be found" in sentence(exc)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://[::1", "Invalid IPv6 URL"),
        ("javascript:alert(1)", "javascript: is not http or https"),
        ("file:/etc/passwd", "file: is not http or https"),
        ("http://127.0.0.1:99999/v1", "invalid port number"),
    ],
)
def test_malformed_urls_are_one_sentence(url: str, says: str) -> None:
    with pytest.raises(ServerError) as exc:
        Endpoint.parse(url)
    assert says in sentence(exc)


def test_ipv6_url_is_shown_with_brackets() -> None:
    endpoint = Endpoint.parse("http://[::1]:8080/v1")
    assert (endpoint.url, endpoint.host, endpoint.port) == ("http://[::1]:8080/v1", "::1", 8080)
    assert Endpoint.parse("localhost:8080").url == "http://localhost:8080"


def test_http_not_https_is_a_tls_sentence(stub: Stub) -> None:
    with pytest.raises(ServerError) as exc:
        open_backend(ModelSpec(server=ServerSpec(stub.url.replace("http:", "https:"))))
    assert "TLS" in sentence(exc)


@pytest.mark.parametrize(
    "models",
    [{"data": [{"id": {"x": 1}}]}, {"data": [{"id": ""}]}, {"data": [{"id": None}]}],
)
def test_a_model_list_the_app_cannot_read(stub: Stub, models: dict[str, Any]) -> None:
    stub.routes["/v1/models"] = (200, json.dumps(models).encode(), "json")
    with pytest.raises(ServerError) as exc:  # the first was StopIteration
        backend(stub)
    assert "did not list its models the OpenAI way" in sentence(exc)


@pytest.mark.parametrize("meta", ["not an object", {"n_ctx_train": "many"}, [1, 2]])
def test_model_metadata_of_the_wrong_shape_is_ignored(stub: Stub, meta: object) -> None:
    stub.routes["/v1/models"] = (
        200,
        json.dumps({"data": [{"id": "m", "meta": meta}]}).encode(),
        "json",
    )
    b = backend(stub)
    assert b.model_id == "m" and b.per_sequence_limit > 0
    b.close()


def test_a_web_page_instead_of_json(stub: Stub) -> None:
    stub.routes["/v1/models"] = (200, b"<html><body>Router login</body></html>", "text")
    with pytest.raises(ServerError) as exc:
        backend(stub)
    assert "not JSON" in sentence(exc)


@pytest.mark.parametrize(
    ("status", "words"),
    [(401, "API key"), (403, "API key"), (404, "/v1"), (500, "HTTP 500"), (429, "busy")],
)
def test_http_errors(stub: Stub, status: int, words: str) -> None:
    stub.routes["/v1/models"] = (status, b'{"error": {"message": "nope"}}', "json")
    with pytest.raises(ServerError) as exc:
        backend(stub)
    assert words in sentence(exc)
    if status == 429:
        assert stub.hits["/v1/models"] == 3  # retried twice: nothing was generated


def test_unknown_model_names_the_offered_ones(stub: Stub) -> None:
    with pytest.raises(ServerError) as exc:
        backend(stub, model="llama-70b")
    assert "stub-model" in sentence(exc)


def test_chat_or_completion_from_the_model_id(stub: Stub) -> None:
    assert not backend(stub).chat
    chat = backend(stub, model="stub-chat-instruct")
    assert chat.chat
    stub.routes["/v1/chat/completions"] = lambda h: h.send_error(500)
    with pytest.raises(ServerError):
        generate(chat)
    sent = stub.bodies[-1]
    assert sent["messages"][0]["role"] == "user" and "prompt" not in sent


def test_fewer_samples_than_asked(stub: Stub) -> None:
    stub.routes["/v1/completions"] = (200, b'{"choices": []}', "json")
    with pytest.raises(ServerError) as exc:
        generate(backend(stub))
    assert "0 samples instead of 1" in sentence(exc)


def test_a_stalled_stream_is_an_error_not_a_hang(stub: Stub) -> None:
    stub.routes["/v1/completions"] = lambda h: sse(h, [" We", " agree"], stall=30)
    start = time.monotonic()
    with pytest.raises(ServerError) as exc:
        generate(backend(stub, stall_timeout=1.0))
    assert "stopped answering for 1 s" in sentence(exc)
    assert time.monotonic() - start < 10


def test_cancel_closes_the_requests(stub: Stub) -> None:
    stub.routes["/v1/completions"] = lambda h: sse(h, [" We"], stall=30)
    b = backend(stub)
    calls = {"n": 0}

    def should_stop() -> bool:
        calls["n"] += 1
        return calls["n"] > 20

    start = time.monotonic()
    with pytest.raises(GenerationCancelled):
        generate(b, n=3, should_stop=should_stop)
    assert time.monotonic() - start < 5


def test_streamed_samples_with_seeds_stops_and_the_key(stub: Stub) -> None:
    words = [" " + w for w in STATEMENT.split()] + ["\n\nOpinion: more"]
    stub.routes["/v1/completions"] = lambda h: sse(h, words)
    b = backend(stub, api_key="sk-secret-123456")
    assert "sk-secret" not in repr(b.spec)
    events = generate(b, n=1)
    [cand] = [e for e in events if isinstance(e, Candidate)]
    assert cand.text == STATEMENT
    sent = stub.bodies[-1]
    assert sent["seed"] == 1234 and sent["max_tokens"] == 20 and sent["stream"] is True
    assert "\n\n" not in sent["stop"] and "Opinion:" in sent["stop"]
    assert stub.headers[-1]["Authorization"] == "Bearer sk-secret-123456"


def test_streams_cut_short_are_asked_again_one_at_a_time(stub: Stub) -> None:
    """llama_cpp.server ends a stream with [DONE] and no finish_reason when another request
    arrives; such a sample is asked again, and the backend stops sending requests in parallel."""
    words = [" " + w for w in STATEMENT.split()]
    calls = {"n": 0}

    def route(h: BaseHTTPRequestHandler) -> None:
        calls["n"] += 1
        sse(h, words[:2] if calls["n"] == 1 else words, finish=calls["n"] > 1)

    stub.routes["/v1/completions"] = route
    b = backend(stub)
    [cand] = [e for e in generate(b, n=1) if isinstance(e, Candidate)]
    assert cand.text == STATEMENT and b.serial and calls["n"] == 2
    stub.routes["/v1/completions"] = lambda h: sse(h, words[:2], finish=False)
    with pytest.raises(ServerError) as exc:
        generate(b, n=1)
    assert "--interrupt_requests false" in sentence(exc)


def test_cli_with_a_stopped_server_exits_within_10_s() -> None:
    start = time.monotonic()
    url = f"http://127.0.0.1:{free_port()}/v1"
    args = ["run", "--server", url, "--question", "Q?", "--opinion", "yes", "--opinion", "no"]
    code = "from consensus_desktop.cli.main import main; raise SystemExit(main())"
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("consensus-desktop:")]
    assert len(lines) == 1 and "Nothing answers" in lines[0] and "Traceback" not in proc.stderr
    assert time.monotonic() - start < 10


def test_a_closed_port_is_refused_not_a_timeout() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening
        with pytest.raises(ServerError, match="Nothing answers"):
            Endpoint.parse(f"http://127.0.0.1:{port}/v1").json("GET", "/models")
