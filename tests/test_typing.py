"""What a type checker tells a user of the generated package: their correct code passes
`mypy --strict`, and each kind of mistake is an error where they made it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CORRECT = '''
import telnyx_ai
from telnyx_ai import NotFoundError, Telnyx
from telnyx_ai.types import Assistant

client = Telnyx(api_key="KEY")
assistant: Assistant = client.ai.assistants.create(name="Support", instructions="Help.", model="m")
reply = client.ai.assistants.chat(assistant.id, content="Hello", conversation_id="c")
names: list[str] = [test.name for test in client.ai.assistants.tests.list(page_size=50)]
try:
    client.ai.assistants.retrieve("nope")
except NotFoundError as error:
    print(error.status_code, telnyx_ai.__version__)
'''

# each mistake, and the mypy error code that must point at its line
MISTAKES = {
    "from telnyx_ai.types import Assistnt": "attr-defined",
    "from telnyx_ai import NotFoundErr": "attr-defined",
    "import telnyx_ai\nprint(telnyx_ai.RateLimitErr)": "attr-defined",
    "from telnyx_ai import Telnyx\nTelnyx(api_key='k').ai.assistants.create(name=123, instructions='i', model='m')": "arg-type",
    "from telnyx_ai import Telnyx\nTelnyx(api_key='k').ai.assistants.create(nmae='n', instructions='i', model='m')": "call-arg",
    "from telnyx_ai import Telnyx\nTelnyx(api_key='k').ai.assistants.tests.list(page_size='50')": "arg-type",
    "from telnyx_ai import Telnyx\nprint(Telnyx(api_key='k').ai.assistnts)": "attr-defined",
    "from telnyx_ai import Telnyx\nprint(Telnyx(api_key='k').ai.assistants.retrieve('a').nmae)": "attr-defined",
}


def test_mypy_passes_correct_code_and_points_at_each_mistake(tmp_path: Path) -> None:
    (tmp_path / "correct.py").write_text(CORRECT)
    for index, code in enumerate(MISTAKES):
        (tmp_path / f"mistake_{index}.py").write_text(code + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / ".cache"), "--no-error-summary", "."],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(ROOT / "generated")},
        capture_output=True,
        text=True,
    )
    found = re.findall(r"^(\w+)\.py:(\d+): error: .*\[([\w-]+)\]$", result.stdout, re.MULTILINE)
    assert [f for f in found if f[0] == "correct"] == [], result.stdout
    for index, (code, kind) in enumerate(MISTAKES.items()):
        line = str(code.count("\n") + 1)
        assert (f"mistake_{index}", line, kind) in found, f"{code!r}: expected [{kind}] on line {line}\n{result.stdout}"
