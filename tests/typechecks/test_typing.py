"""What a type checker tells a user of the generated package: their correct code passes
`mypy --strict`, and each kind of mistake is an error where they made it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE = Path(sys.executable).parent / "node"
PYRIGHT = ROOT / "node_modules" / "pyright" / "index.js"

CORRECT = """
import telnyx_ai
from telnyx_ai import (
    NOT_GIVEN,
    AsyncPage,
    AsyncPager,
    NotFoundError,
    Omit,
    RawResponse,
    SyncPage,
    Telnyx,
)
from telnyx_ai.types import Assistant, AssistantTestResponse

client = Telnyx(api_key="KEY")
assistant: Assistant = client.ai.assistants.create(name="Support", instructions="Help.", model="m")
reply = client.ai.assistants.chat(assistant.id, content="Hello", conversation_id="c")
names: list[str] = [test.name for test in client.ai.assistants.tests.list(page_size=50)]
try:
    client.ai.assistants.retrieve("nope")
except NotFoundError as error:
    print(error.status_code, telnyx_ai.__version__)
# the page, raw response and sentinel types are public names of the package
tests: SyncPage[AssistantTestResponse] = client.ai.assistants.tests.list(
    page_size=50, extra_headers={"X-Trace": Omit()}
)
raw: RawResponse[Assistant] = client.ai.assistants.with_raw_response.retrieve(
    "a", timeout=NOT_GIVEN
)
pages: list[type[object]] = [AsyncPage, AsyncPager]
"""

# The Go guide's flow, written as one would: nested objects as dict literals, what a response
# gives (an id, a time, an enum member, nested models, a tagged union) passed back as it is.
GUIDE_FLOW = """
from datetime import datetime, timezone

from telnyx_ai import Telnyx
from telnyx_ai.types import AssistantTestResponse, CreateAssistantTestRequestRubricItemParam

client = Telnyx(api_key="KEY")
assistant = client.ai.assistants.create(
    name="Support", instructions="Help.", model="m", enabled_features=["telephony"]
)
rubric: list[CreateAssistantTestRequestRubricItemParam] = [
    {"criteria": "Greets the caller", "name": "greeting"}
]
test = client.ai.assistants.tests.create(
    destination="+13125550001", instructions="Ask about a bill.", name="billing", rubric=rubric
)
again: AssistantTestResponse = client.ai.assistants.tests.retrieve(test.test_id)
same: bool = test.test_id == "8b3c2d1e-0000-4000-8000-000000000000"
if assistant.tools is not None:
    client.ai.assistants.update(assistant.id, tools=assistant.tools)
if assistant.telephony_settings is not None:
    client.ai.assistants.update(
        assistant.id,
        telephony_settings=assistant.telephony_settings,
        enabled_features=assistant.enabled_features or [],
    )
event = client.ai.assistants.scheduled_events.create(
    assistant.id,
    scheduled_at_fixed_datetime=datetime.now(timezone.utc),
    telnyx_agent_target="+13125550002",
    telnyx_conversation_channel="phone_call",
    telnyx_end_user_target="+13125550003",
)
client.ai.assistants.scheduled_events.create(
    assistant.id,
    scheduled_at_fixed_datetime=event.scheduled_at_fixed_datetime,
    telnyx_agent_target="+13125550002",
    telnyx_conversation_channel=event.telnyx_conversation_channel,
    telnyx_end_user_target="+13125550003",
    call_settings={"sip_region": "Europe"},
)
from pathlib import Path

client.ai.audio.transcribe(model="deepgram/nova-3", file=Path("call.mp3"))
client.ai.audio.transcribe(model="deepgram/nova-3", file=("call.mp3", b"ID3...", "audio/mpeg"))
client.ai.audio.transcribe(model="deepgram/nova-3", file=open("call.mp3", "rb"))
"""

# A streaming call's type follows `stream`: the model without it, a stream of chunks with it;
# a webhook is one of the event models.
STREAMING = """
from telnyx_ai import AsyncStream, AsyncTelnyx, Stream, Telnyx
from telnyx_ai.types import (
    AnthropicMessage,
    AnthropicStreamEvent,
    CallConversationEndedEvent,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionSystemMessageParamDict,
    UnknownWebhookEvent,
)

client = Telnyx(api_key="KEY")
messages: list[ChatCompletionSystemMessageParamDict] = [{"role": "user", "content": "Hello"}]
completion: ChatCompletion = client.ai.chat.completions.create(messages=messages, model="m")
same: ChatCompletion = client.ai.chat.completions.create(messages=messages, model="m", stream=False)
stream: Stream[ChatCompletionChunk] = client.ai.chat.completions.create(
    messages=messages, model="m", stream=True
)
with stream:
    for chunk in stream:
        print(chunk.choices[0].delta.content)
streaming = client.ai.chat.completions.with_streaming_response
with streaming.create(messages=messages, model="m") as response:
    lines: list[str] = list(response.iter_lines())
    parsed: ChatCompletion = response.parse()
with streaming.create(messages=messages, model="m", stream=True) as streamed:
    parsed_chunks: Stream[ChatCompletionChunk] = streamed.parse()
raw_chunks: Stream[ChatCompletionChunk] = client.ai.chat.completions.with_raw_response.create(
    messages=messages, model="m", stream=True
).parse()
webhook = client.webhooks.unwrap(b"{}", headers={"telnyx-timestamp": "1"})
if isinstance(webhook, CallConversationEndedEvent) and webhook.data is not None:
    ended_at: str | None = webhook.data.event_type
unknown: UnknownWebhookEvent | None = webhook if isinstance(webhook, UnknownWebhookEvent) else None
message: AnthropicMessage = client.ai.anthropic.v1.messages(
    max_tokens=64, messages=messages, model="m"
)
events: Stream[AnthropicStreamEvent] = client.ai.anthropic.v1.messages(
    max_tokens=64, messages=messages, model="m", stream=True
)
either: ChatCompletion | Stream[ChatCompletionChunk] = client.ai.openai.chat.create_completion(
    messages=messages, model="m", stream=bool(lines)
)


async def main() -> list[str]:
    aclient = AsyncTelnyx(api_key="KEY")
    achunks: AsyncStream[ChatCompletionChunk] = await aclient.ai.chat.completions.create(
        messages=messages, model="m", stream=True
    )
    models: list[str] = [achunk.model async for achunk in achunks]
    acompletion: ChatCompletion = await aclient.ai.chat.completions.create(
        messages=messages, model="m"
    )
    return [*models, acompletion.id]
"""

# each mistake, and the mypy error code that must point at its line
MISTAKES = {
    "from telnyx_ai.types import Assistnt": "attr-defined",
    "from telnyx_ai import NotFoundErr": "attr-defined",
    "import telnyx_ai\nprint(telnyx_ai.RateLimitErr)": "attr-defined",
    (
        "from telnyx_ai import Telnyx\n"
        "Telnyx(api_key='k').ai.assistants.create(name=123, instructions='i', model='m')"
    ): "arg-type",
    (
        "from telnyx_ai import Telnyx\n"
        "Telnyx(api_key='k').ai.assistants.create(nmae='n', instructions='i', model='m')"
    ): "call-arg",
    (
        "from telnyx_ai import Telnyx\nTelnyx(api_key='k').ai.assistants.tests.list(page_size='50')"
    ): "arg-type",
    "from telnyx_ai import Telnyx\nprint(Telnyx(api_key='k').ai.assistnts)": "attr-defined",
    (
        "from telnyx_ai import Telnyx\nprint(Telnyx(api_key='k').ai.assistants.retrieve('a').nmae)"
    ): "attr-defined",
    (
        "from telnyx_ai import Telnyx, Stream\n"
        "s: Stream[object] = Telnyx(api_key='k').ai.chat.completions.create(messages=[], "
        "model='m')"
    ): "assignment",
    (
        "from telnyx_ai import Telnyx\n"
        "from telnyx_ai.types import ChatCompletion\n"
        "c: ChatCompletion = Telnyx(api_key='k').ai.chat.completions.create(messages=[], "
        "model='m', stream=True)"
    ): "assignment",
    (
        "from telnyx_ai import Telnyx\n"
        "for c in Telnyx(api_key='k').ai.chat.completions.create(messages=[], model='m', "
        "stream=True):\n"
        "    print(c.choices[0].delta.txt)"
    ): "attr-defined",
    (
        "from telnyx_ai import Telnyx\n"
        "event = Telnyx(api_key='k').webhooks.unwrap(b'', headers={})\n"
        "print(event.data)"
    ): "union-attr",
    # nested dict literals are checked key by key: a misspelt key, a wrong value, a
    # missing required key
    (
        "from telnyx_ai import Telnyx\n"
        "Telnyx(api_key='k').ai.assistants.tests.create(destination='d', "
        "instructions='i', name='n', rubric=[{'criteria': 'c', 'nmae': 'n'}])"
    ): "list-item",
    (
        "from telnyx_ai import Telnyx\n"
        "Telnyx(api_key='k').ai.assistants.tests.create(destination='d', "
        "instructions='i', name='n', rubric=[{'criteria': 5, 'name': 'n'}])"
    ): "list-item",
    (
        "from telnyx_ai import Telnyx\n"
        "Telnyx(api_key='k').ai.assistants.tests.create(destination='d', "
        "instructions='i', name='n', rubric=[{'criteria': 'c'}])"
    ): "list-item",
    (
        "from telnyx_ai.types import CreateAssistantTestRequestRubricItemParam\n"
        "item: CreateAssistantTestRequestRubricItemParam = {'criteria': 'c', "
        "'name': 'n', 'weight': 1}"
    ): "typeddict-unknown-key",
    (
        "from telnyx_ai import Telnyx\n"
        "Telnyx(api_key='k').ai.assistants.scheduled_events.create('a', "
        "scheduled_at_fixed_datetime=1, telnyx_agent_target='t', "
        "telnyx_conversation_channel='phone_call', telnyx_end_user_target='u')"
    ): "arg-type",
    # a file is bytes, a binary file, a path or a (name, content, type) tuple; text is not
    (
        "from telnyx_ai import Telnyx\n"
        "Telnyx(api_key='k').ai.audio.transcribe(model='deepgram/nova-3', file='call.mp3')"
    ): "arg-type",
}


def test_mypy_passes_correct_code_and_points_at_each_mistake(tmp_path: Path) -> None:
    """The examples of the generated README are correct code too."""
    (tmp_path / "correct.py").write_text(CORRECT)
    (tmp_path / "correct_streaming.py").write_text(STREAMING)
    (tmp_path / "correct_guide.py").write_text(GUIDE_FLOW)
    for index, block in enumerate(
        re.findall(
            r"```python\n(.*?)```", (ROOT / "generated" / "README.md").read_text(), re.DOTALL
        )
    ):
        (tmp_path / f"correct_readme_{index}.py").write_text(block)
    for index, code in enumerate(MISTAKES):
        (tmp_path / f"mistake_{index}.py").write_text(code + "\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(tmp_path / ".cache"),
            "--no-error-summary",
            ".",
        ],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(ROOT / "generated")},
        capture_output=True,
        text=True,
    )
    found = re.findall(r"^(\w+)\.py:(\d+): error: .*\[([\w-]+)\]$", result.stdout, re.MULTILINE)
    assert [f for f in found if f[0].startswith("correct")] == [], result.stdout
    for index, (code, kind) in enumerate(MISTAKES.items()):
        line = str(code.count("\n") + 1)
        assert (f"mistake_{index}", line, kind) in found, (
            f"{code!r}: expected [{kind}] on line {line}\n{result.stdout}"
        )


# A deepObject query parameter is one argument typed by a TypedDict, nested to its leaves
# (the golden fixture query_styles: `filter={"state": {"eq": ...}}`); the AI package has none
# but the page object, which stays `page_number=` / `page_size=`.
DEEP_OBJECT_CORRECT = """
from datetime import datetime, timezone

from fx_query_styles import Client

client = Client(api_key="KEY")
for run in client.runs.list(
    filter={
        "state": {"eq": "done", "in": ["pending", "done"]},
        "tags": ["nightly"],
        "created_at": {"gte": datetime.now(timezone.utc)},
        "owner.id": "o-1",
    },
    sort={"value": "-created_at"},
    page_size=5,
):
    print(run.id)
"""
DEEP_OBJECT_MISTAKES = {
    "client.runs.list(filter={'state': {'eqq': 'done'}})": "arg-type",  # a nested key
    "client.runs.list(filter={'state': {'eq': 'finished'}})": "arg-type",  # a nested value
    "client.runs.list(filter={'stat': {'eq': 'done'}})": "arg-type",  # a key of the filter
    "client.runs.list(filter={'created_at': {'gte': 5}})": "arg-type",  # a nested type
    "client.runs.list(sort={'value': 'name'})": "arg-type",
    "client.runs.list(filter_state={'eq': 'done'})": "call-arg",  # the flattened keyword
}


def test_a_deep_object_argument_is_checked_key_by_key(tmp_path: Path) -> None:
    from generator.pipeline import build
    from generator.problems import Problems

    fixture = ROOT / "tests" / "golden" / "query_styles"
    result = build(fixture / "spec.yaml", fixture / "sdk.yaml", Problems())
    for name, text in result.files.items():
        (tmp_path / "pkg" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "pkg" / name).write_text(text)
    (tmp_path / "correct.py").write_text(DEEP_OBJECT_CORRECT)
    head = "from fx_query_styles import Client\nclient = Client(api_key='k')\n"
    for index, code in enumerate(DEEP_OBJECT_MISTAKES):
        (tmp_path / f"mistake_{index}.py").write_text(head + code + "\n")
    result_ = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / ".cache")]
        + ["--no-error-summary", "correct.py"]
        + [f"mistake_{index}.py" for index in range(len(DEEP_OBJECT_MISTAKES))],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(tmp_path / "pkg")},
        capture_output=True,
        text=True,
    )
    found = re.findall(r"^(\w+)\.py:(\d+): error: .*\[([\w-]+)\]$", result_.stdout, re.MULTILINE)
    assert [f for f in found if f[0] == "correct"] == [], result_.stdout
    for index, (code, kind) in enumerate(DEEP_OBJECT_MISTAKES.items()):
        assert (f"mistake_{index}", "3", kind) in found, (
            f"{code!r}: expected [{kind}] on line 3\n{result_.stdout}"
        )


@pytest.mark.skipif(not PYRIGHT.exists(), reason="pyright comes with `make test` (npm ci)")
def test_pyright_sees_the_same_types(tmp_path: Path) -> None:
    """pyright, the checker of VS Code's Pylance, agrees: the correct code passes in strict
    mode and each mistake is an error on its line."""
    (tmp_path / "correct.py").write_text(CORRECT)
    (tmp_path / "correct_streaming.py").write_text(STREAMING)
    (tmp_path / "correct_guide.py").write_text(GUIDE_FLOW)
    for index, code in enumerate(MISTAKES):
        (tmp_path / f"mistake_{index}.py").write_text(code + "\n")
    config = {
        "typeCheckingMode": "strict",
        "extraPaths": [str(ROOT / "generated")],
        "pythonVersion": f"{sys.version_info.major}.{sys.version_info.minor}",
    }
    (tmp_path / "pyrightconfig.json").write_text(json.dumps(config))
    result = subprocess.run(
        [str(NODE), str(PYRIGHT), "--outputjson", "--pythonpath", sys.executable, "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    report = json.loads(result.stdout)
    errors = [
        (Path(d["file"]).stem, d["range"]["start"]["line"] + 1, d["message"])
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    ]
    assert [e for e in errors if e[0].startswith("correct")] == [], errors
    for index, code in enumerate(MISTAKES):
        line = code.count("\n") + 1
        assert any(e[:2] == (f"mistake_{index}", line) for e in errors), (
            f"{code!r}: expected an error on line {line}\n{errors}"
        )
