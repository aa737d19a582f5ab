"""Runtime benchmark of the generated SDK against the floor and the official SDK.

Measured in one run, so only ratios matter:
- `retrieve` of a ~2.5 KB assistant and `list` of 20 assistants, through bare httpx +
  json.loads (the floor), our `telnyx_ai` client, and the official `telnyx` package;
  once against a respx-mocked transport and once against a real HTTP server on 127.0.0.1;
- `import` + client construction, in fresh interpreters: `import httpx, pydantic`
  (the floor), `import telnyx_ai`, `import telnyx`; and the same with the first touch of
  `client.ai.assistants`;
- a streamed chat completion of 200 chunk events from a real server on 127.0.0.1, per
  event: bare httpx + httpx-sse + json.loads (the floor) against our `Stream`, which
  validates every event into a `ChatCompletionChunk`.

Run it with `make bench-runtime` (which installs the official SDK into the benchmark's own
environment). Prints medians and ratios to the floor.
"""

from __future__ import annotations

import compileall
import json
import multiprocessing
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generated"))

import httpx  # noqa: E402
import respx  # noqa: E402

API_KEY = "KEY-benchmark"


def assistant(i: int) -> dict[str, Any]:
    """A realistic assistant of about 2.5 KB, tools and settings included."""
    return {
        "id": f"assistant-{i:08d}-6a4b-4c1e-9f0a-3d2e1c0b9a87",
        "name": f"Customer support bot {i}",
        "created_at": "2025-06-01T12:00:00Z",
        "model": "meta-llama/Meta-Llama-3.1-70B-Instruct",
        "instructions": (
            "You are a friendly support agent for Acme Corp. Greet the caller, identify the "
            "account by phone number, answer billing questions, and transfer to a human when "
            "asked. Never reveal internal notes. "
        )
        * 2,
        "description": "Handles inbound support calls and SMS for the Acme account team.",
        "greeting": "Hi, thanks for calling Acme support. How can I help today?",
        "tools": [
            {
                "type": "webhook",
                "webhook": {
                    "name": "lookup_account",
                    "description": "Find an account by phone number",
                    "url": "https://example.com/hooks/account",
                    "method": "POST",
                    "body_parameters": {
                        "type": "object",
                        "properties": {"phone": {"type": "string"}},
                        "required": ["phone"],
                    },
                },
            },
            {"type": "hangup", "hangup": {"description": "Hang up when the caller says goodbye."}},
            {
                "type": "transfer",
                "transfer": {
                    "from": "+13125550001",
                    "targets": [{"name": "Billing desk", "to": "+13125550002"}],
                },
            },
            {
                "type": "retrieval",
                "retrieval": {
                    "bucket_ids": ["kb-acme-faq", "kb-acme-billing"],
                    "max_num_results": 5,
                },
            },
        ],
        "enabled_features": ["telephony", "messaging"],
        "dynamic_variables": {"customer_tier": "gold", "region": "us-east", "language": "en"},
        "dynamic_variables_webhook_url": "https://example.com/hooks/variables",
        "voice_settings": {"voice": "Telnyx.KokoroTTS.af_heart", "voice_speed": 1.0},
        "transcription": {"model": "deepgram/nova-3", "language": "en"},
        "telephony_settings": {
            "default_texml_app_id": "1234567890",
            "supports_unauthenticated_web_calls": False,
        },
        "messaging_settings": {
            "default_messaging_profile_id": "4001234567",
            "delivery_status_webhook_url": "https://example.com/hooks/sms",
        },
        "insight_settings": {"insight_group_id": "insights-acme"},
        "privacy_settings": {"data_retention": True},
        "tags": ["support", "billing", "acme"],
    }


ONE = json.dumps(assistant(1)).encode()
LIST = json.dumps({"data": [assistant(i) for i in range(20)]}).encode()
EVENTS = 200


def chunk(i: int) -> dict[str, Any]:
    """A chunk as an OpenAI-compatible server sends it: a few words of one choice."""
    return {
        "id": "chatcmpl-8f1d2c3b4a5e6f708192a3b4c5d6e7f8",
        "object": "chat.completion.chunk",
        "created": 1733000000,
        "model": "meta-llama/Meta-Llama-3.1-8B-Instruct",
        "system_fingerprint": "fp_44709d6fcb",
        "choices": [
            {
                "index": 0,
                "delta": {"content": f" word{i} and more"},
                "logprobs": None,
                "finish_reason": None,
            }
        ],
    }


STREAM = (
    b"".join(b"data: " + json.dumps(chunk(i)).encode() + b"\n\n" for i in range(EVENTS))
    + b"data: [DONE]\n\n"
)


def median_us(fn: Callable[[], object], rounds: int = 7, number: int = 200) -> float:
    fn()  # warm: first-use loading is measured by the import benchmark
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number * 1e6)
    return statistics.median(samples)


def clients(base_url: str) -> dict[str, tuple[Callable[[], object], Callable[[], object]]]:
    import telnyx_ai

    floor_http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {API_KEY}"})
    ours = telnyx_ai.Telnyx(api_key=API_KEY, base_url=base_url)
    found = {
        "bare httpx + json.loads": (
            lambda: json.loads(floor_http.get("/ai/assistants/a1").content),
            lambda: json.loads(floor_http.get("/ai/assistants").content),
        ),
        "telnyx_ai (ours)": (
            lambda: ours.ai.assistants.retrieve("a1"),
            lambda: ours.ai.assistants.list(),
        ),
    }
    try:
        import telnyx

        official = telnyx.Telnyx(api_key=API_KEY, base_url=base_url)
        found["telnyx (official)"] = (
            lambda: official.ai.assistants.retrieve("a1"),
            lambda: official.ai.assistants.list(),
        )
    except ImportError:
        print("(the official telnyx package is not installed: run `make bench-runtime`)")
    return found


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real API serves
    disable_nagle_algorithm = True  # else small responses wait for delayed ACKs (40 ms)
    wbufsize = 1 << 16  # headers and body leave in one write

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(STREAM)))
        self.end_headers()
        self.wfile.write(STREAM)

    def do_GET(self) -> None:  # noqa: N802
        body = LIST if self.path.split("?")[0].endswith("/ai/assistants") else ONE
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def table(title: str, rows: dict[str, float], floor: str, unit: str) -> None:
    print(f"\n{title}")
    print(f"| {'client':<36} | {'median ' + unit:>12} | {'x floor':>8} |")
    print(f"|{'-' * 38}|{'-' * 14}|{'-' * 10}|")
    for name, value in rows.items():
        print(f"| {name:<36} | {value:>12.1f} | {value / rows[floor]:>8.2f} |")


def alternating(
    fns: dict[str, Callable[[], object]], number: int, rounds: int = 15
) -> dict[str, float]:
    """Medians of `rounds` rounds, the clients taking turns in each: a slower moment of the
    machine (a shared one can halve its speed for seconds) then hits all of them alike."""
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            samples[name].append(median_us(fn, rounds=1, number=number))
    return {name: statistics.median(values) for name, values in samples.items()}


def bench_calls() -> None:
    floor = "bare httpx + json.loads"
    with respx.mock(base_url="https://api.telnyx.com/v2", assert_all_called=False) as mock:
        mock.get("/ai/assistants/a1").respond(
            200, content=ONE, headers={"content-type": "application/json"}
        )
        mock.get("/ai/assistants").respond(
            200, content=LIST, headers={"content-type": "application/json"}
        )
        found = clients("https://api.telnyx.com/v2")
        table(
            "retrieve, respx-mocked transport",
            alternating({n: f[0] for n, f in found.items()}, 100),
            floor,
            "us",
        )
        table(
            "list of 20, respx-mocked transport",
            alternating({n: f[1] for n, f in found.items()}, 30),
            floor,
            "us",
        )
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        found = clients(f"http://127.0.0.1:{server.server_address[1]}/v2")
        table(
            "retrieve, real server on 127.0.0.1",
            alternating({n: f[0] for n, f in found.items()}, 50),
            floor,
            "us",
        )
        table(
            "list of 20, real server on 127.0.0.1",
            alternating({n: f[1] for n, f in found.items()}, 20),
            floor,
            "us",
        )
    finally:
        server.shutdown()


def bench_streaming() -> None:
    """Per event of a 200-event stream; the target is at most 1.3x the floor."""
    import httpx_sse

    import telnyx_ai

    messages = [{"role": "user", "content": "Tell me a story"}]
    model = "meta-llama/Meta-Llama-3.1-8B-Instruct"
    # The server runs in a process of its own, so that it does not share the clients' GIL.
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    process = multiprocessing.get_context("fork").Process(target=server.serve_forever, daemon=True)
    process.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v2"
    floor_http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {API_KEY}"})
    ours = telnyx_ai.Telnyx(api_key=API_KEY, base_url=base_url)

    def floor() -> int:
        count = 0
        with floor_http.stream(
            "POST",
            "/ai/chat/completions",
            json={"messages": messages, "model": model, "stream": True},
        ) as response:
            for sse in httpx_sse.EventSource(response).iter_sse():
                if sse.data == "[DONE]":
                    break
                json.loads(sse.data)
                count += 1
        return count

    def ours_stream() -> int:
        count = 0
        for _chunk in ours.ai.chat.completions.create(messages=messages, model=model, stream=True):
            count += 1
        return count

    try:
        assert floor() == ours_stream() == EVENTS
        streams = alternating(
            {"bare httpx + httpx-sse + json.loads": floor, "telnyx_ai Stream (ours)": ours_stream},
            number=10,
        )
        rows = {name: value / EVENTS for name, value in streams.items()}
        table(
            f"stream of {EVENTS} chat completion chunks, real server on 127.0.0.1, per event",
            rows,
            "bare httpx + httpx-sse + json.loads",
            "us",
        )
    finally:
        process.terminate()
        process.join()
        server.server_close()


def bench_import(runs: int = 15) -> None:
    ours = f"import sys; sys.path.insert(0, {str(ROOT / 'generated')!r}); import telnyx_ai; "
    programs = {
        "import httpx, pydantic": "import httpx, pydantic",
        "telnyx_ai (ours)": ours + "telnyx_ai.Telnyx(api_key='k')",
        "telnyx (official)": "import telnyx; telnyx.Telnyx(api_key='k')",
        # the first touch of a resource loads the types its methods need
        "telnyx_ai + client.ai.assistants": ours + "telnyx_ai.Telnyx(api_key='k').ai.assistants",
        "telnyx + client.ai.assistants": "import telnyx; telnyx.Telnyx(api_key='k').ai.assistants",
    }
    # pip compiles an installed wheel, as it compiled httpx and pydantic; the generated tree
    # is compiled here likewise, else a PYTHONDONTWRITEBYTECODE environment would time ours
    # compiling its source at every start.
    compileall.compile_dir(ROOT / "generated" / "telnyx_ai", quiet=1)
    samples: dict[str, list[float]] = {name: [] for name in programs}
    for _ in range(runs):  # the programs take turns, as the calls do (see `alternating`)
        for name, code in programs.items():
            timed = f"import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"
            done = subprocess.run([sys.executable, "-c", timed], capture_output=True, text=True)
            if done.returncode == 0:
                samples[name].append(float(done.stdout) * 1000)
    rows = {name: statistics.median(values) for name, values in samples.items() if values}
    table("import + construct a client, fresh interpreter", rows, "import httpx, pydantic", "ms")


if __name__ == "__main__":
    print(f"Python {sys.version.split()[0]}, httpx {httpx.__version__}; medians of repeated runs")
    bench_calls()
    bench_streaming()
    bench_import()
