"""A fuzzer of what the server answers, for every operation: the spec's success answer,
mutated (a subtree replaced by any JSON value, a key dropped, a key added), sent with the
success status or an error status. Whatever comes back, a call returns a value or raises
a TelnyxError (a validation error for a body that breaks the spec, the typed status error
with the body for an error status); never any other exception.

The budget is the hypothesis profile's: a few answers per operation in `make test`, many
in `make test-deep`.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from hypothesis import given
from hypothesis import strategies as st
from support import operations as ops

import telnyx_ai

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
JSON = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
STATUSES = (400, 401, 404, 409, 422, 429, 500, 503)
JSON_OPERATIONS = [op for op in ops.OPERATIONS if op.success[1] == "json"]


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value, the root included."""
    found = [at]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*at, index))
    return found


def _replaced(node: Any, at: tuple[Any, ...], value: Any) -> Any:
    if not at:
        return value
    head, rest = at[0], at[1:]
    if isinstance(node, dict):
        return {**node, head: _replaced(node[head], rest, value)}
    return [
        _replaced(item, rest, value) if index == head else item for index, item in enumerate(node)
    ]


@st.composite
def mutated(draw: st.DrawFn, body: Any) -> Any:
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        at = draw(st.sampled_from(_paths(body)))
        kind = draw(st.sampled_from(("replace", "drop", "add")))
        target: Any = body
        for step in at:
            target = target[step]
        if kind == "drop" and isinstance(target, dict) and target:
            key = draw(st.sampled_from(sorted(target)))
            body = _replaced(body, at, {k: v for k, v in target.items() if k != key})
        elif kind == "add" and isinstance(target, dict):
            body = _replaced(body, at, {**target, draw(st.text(max_size=8)): draw(JSON)})
        else:
            body = _replaced(body, at, draw(JSON))
    return body


@pytest.mark.parametrize("op", JSON_OPERATIONS, ids=lambda op: op.dotted)
def test_any_answer_is_a_value_or_a_typed_error(op: ops.Operation) -> None:
    success = ops.success_answer(op)
    call = ops.build_call(op, "required")
    status, *_ = op.success

    with (
        respx.mock(assert_all_called=False) as router,
        telnyx_ai.Telnyx(api_key="fuzz-key", max_retries=0) as client,
    ):
        route = router.route(host=ops.BASE.host)
        method = ops.method_of(client, op.dotted)

        @given(mutated(success.body), st.sampled_from((status, status, *STATUSES)))
        def answered(body: Any, code: int) -> None:
            route.mock(
                return_value=httpx.Response(
                    code,
                    content=json.dumps(body).encode(),
                    headers={"content-type": "application/json"},
                )
            )
            try:
                method(*call.args, **call.kwargs)
            except telnyx_ai.APIStatusError as error:
                assert code >= 400 and error.status_code == code and error.body == body
            except telnyx_ai.APIResponseValidationError:
                assert code < 400
            else:
                assert code < 400, f"status {code} returned a value"

        answered()
