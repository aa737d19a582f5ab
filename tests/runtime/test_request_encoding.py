"""The runtime's request encoding (`telnyx_ai._request`, `_uploads`), function by function:
what a call's arguments become on the wire, and what is refused before anything is sent."""

from __future__ import annotations

import datetime
import enum
import io
import json
import uuid
from pathlib import Path

import httpx
import pytest

from telnyx_ai._exceptions import ArgumentError
from telnyx_ai._request import (
    RequestSpec,
    build_request,
    encode_query,
    header_value,
    path_segment,
    plain,
    serialise_body,
    validate_arguments,
)
from telnyx_ai._settings import PATTERN_HINTS
from telnyx_ai._types import NOT_GIVEN, Omit
from telnyx_ai._uploads import content, upload, upload_value

BASE = "https://api.example.com/v2/"
HEADERS = {"accept": "application/json", "user-agent": "ua/1"}


def build(spec: RequestSpec[object], idempotency_key: str | None = None) -> httpx.Request:
    return build_request(
        spec,
        base_url=BASE,
        headers=HEADERS,
        timeout=httpx.Timeout(7.0),
        idempotency_key=idempotency_key,
    )


class Colour(enum.Enum):
    RED = "red"


# -- paths and headers -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "segment"),
    [
        ("a/b", "a%2Fb"),
        ("a b?c#d", "a%20b%3Fc%23d"),
        (Colour.RED, "red"),
        (42, "42"),
        ("...", "..."),
    ],
)
def test_a_path_parameter_stays_in_its_segment(value: object, segment: str) -> None:
    assert path_segment("id", value) == segment


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_a_path_parameter_that_would_name_another_resource_is_refused(value: str) -> None:
    with pytest.raises(ArgumentError, match="`id`"):
        path_segment("id", value)


def test_a_header_value_http_cannot_carry_is_refused_without_showing_it() -> None:
    assert header_value("X-A", "tab\tand text") == "tab\tand text"
    with pytest.raises(ArgumentError) as raised:
        header_value("X-Token", "secret\nvalue")
    assert "U+000A at position 6" in str(raised.value)
    assert "secret" not in str(raised.value)
    with pytest.raises(ArgumentError, match="^the API key has"):
        header_value("Authorization", "k\u00e9y", "the API key")


# -- the query -------------------------------------------------------------------------
def test_the_query_keeps_its_order_repeats_arrays_and_brackets_objects() -> None:
    query = {
        "b": True,
        "a": [1, 2],
        "gone": NOT_GIVEN,
        "none": None,
        "filter": {"name": "x", "on": datetime.date(2024, 5, 1)},
        "colour": Colour.RED,
    }
    assert encode_query(query) == [
        ("b", "true"),
        ("a", "1"),
        ("a", "2"),
        ("filter[name]", "x"),
        ("filter[on]", "2024-05-01"),
        ("colour", "red"),
    ]


def test_an_object_argument_is_bracketed_down_to_its_leaves() -> None:
    """A deepObject (`filter={...}`) is sent as `filter[a][b]=v`; a list inside it as
    `filter[a][]=v` once per item (OpenAPI leaves arrays in a deepObject undefined; Telnyx
    reads `[]`, where a repeated `filter[a]=` would keep only the last); booleans as
    `true`/`false`; what is None or empty is left out. A list at the top repeats its key."""
    query = {
        "filter": {
            "status": {"eq": "active", "in": ["a", "b"]},
            "tags": ("x", "y"),
            "ok": False,
            "on": datetime.date(2024, 5, 1),
            "colour": Colour.RED,
            "none": None,
            "empty": {},
            "nothing": [],
        },
        "page[size]": 5,
        "ids": [1, 2],
    }
    assert encode_query(query) == [
        ("filter[status][eq]", "active"),
        ("filter[status][in][]", "a"),
        ("filter[status][in][]", "b"),
        ("filter[tags][]", "x"),
        ("filter[tags][]", "y"),
        ("filter[ok]", "false"),
        ("filter[on]", "2024-05-01"),
        ("filter[colour]", "red"),
        ("page[size]", "5"),
        ("ids", "1"),
        ("ids", "2"),
    ]


def test_an_object_argument_is_validated_key_by_key_and_sent_by_wire_name() -> None:
    """The query model validates the nested keys (a wrong value is an ArgumentError that
    says where, under the argument's name) and gives them back by wire name."""
    import pydantic

    class Range(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(populate_by_name=True, extra="allow")
        gte: datetime.date | None = None
        in_: list[int] | None = pydantic.Field(None, alias="in")

    class Filter(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="allow")
        created_at: Range | None = None

    class Query(pydantic.BaseModel):
        filter: Filter | None = None

    spec: RequestSpec[object] = RequestSpec(
        "get",
        "/x",
        query={"filter": {"created_at": {"gte": datetime.date(2024, 5, 1), "in": (1, 2)}}},
        query_model=Query,
    )
    assert build(spec).url.query == (
        b"filter%5Bcreated_at%5D%5Bgte%5D=2024-05-01"
        b"&filter%5Bcreated_at%5D%5Bin%5D%5B%5D=1&filter%5Bcreated_at%5D%5Bin%5D%5B%5D=2"
    )
    wrong: RequestSpec[object] = RequestSpec(
        "get",
        "/x",
        query={"filter": {"created_at": {"in": ["x"]}}},
        query_model=Query,
        arg_names={"filter": "filters"},
    )
    with pytest.raises(ArgumentError, match=r"^invalid query: filters\.created_at\.in\.0: "):
        build(wrong)


def test_the_url_has_the_encoded_path_and_query_and_extra_query_overrides() -> None:
    spec: RequestSpec[object] = RequestSpec(
        "get",
        "/things/{id}",
        path_params={"id": "a/b"},
        query={"page[size]": 5, "q": "x y"},
        extra_query={"q": "z"},
    )
    assert str(build(spec).url) == "https://api.example.com/v2/things/a%2Fb?page%5Bsize%5D=5&q=z"


# -- arguments -------------------------------------------------------------------------
def test_plain_turns_arguments_into_data_and_leaves_models_alone() -> None:
    from telnyx_ai.types import Assistant

    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    model = Assistant.model_validate(
        {
            "id": "a",
            "name": "n",
            "model": "m",
            "instructions": "i",
            "created_at": "2024-01-01T00:00:00Z",
        }
    )
    at = datetime.datetime(2024, 1, 2, 3, 4, 5)
    value = {"ids": (ident,), "at": at, "m": model, "l": [ident]}
    assert plain(value) == {
        "ids": (str(ident),),
        "at": "2024-01-02T03:04:05",
        "m": model,
        "l": [str(ident)],
    }
    assert plain({"m": model}, models=True)["m"] == model.to_dict()


def test_an_argument_that_misses_a_pattern_is_said_in_words_under_its_own_name() -> None:
    import pydantic

    pattern, words = next(iter(PATTERN_HINTS.items()))

    class Body(pydantic.BaseModel):
        to_number: str = pydantic.Field(alias="to", pattern=pattern)

    with pytest.raises(ArgumentError) as raised:
        validate_arguments(Body, {"to": "12"}, {"to": "to_number"}, "request body")
    assert str(raised.value) == f"invalid request body: to_number: must be {words}, got '12'"


def test_arguments_are_returned_by_wire_name_with_only_what_was_given() -> None:
    import pydantic

    class Query(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(populate_by_name=True)
        page_size: int | None = pydantic.Field(None, alias="page[size]")
        other: int | None = None

    assert validate_arguments(Query, {"page[size]": "3"}, {}, "query") == {"page[size]": 3}
    with pytest.raises(ArgumentError, match=r"^invalid query: page_size: .* \(and 1 more\)$"):
        validate_arguments(
            Query, {"page[size]": "x", "other": "y"}, {"page[size]": "page_size"}, "query"
        )


# -- bodies ----------------------------------------------------------------------------
def test_an_optional_body_with_nothing_given_is_not_sent() -> None:
    spec: RequestSpec[object] = RequestSpec(
        "post", "/x", body={"a": NOT_GIVEN}, body_required=False
    )
    assert serialise_body(spec) is None
    assert build(spec).content == b""
    required: RequestSpec[object] = RequestSpec("post", "/x", body={"a": NOT_GIVEN})
    assert serialise_body(required) == {}


def test_a_json_body_leaves_out_what_was_not_given_and_extra_body_is_merged() -> None:
    spec: RequestSpec[object] = RequestSpec(
        "post", "/x", body={"a": 1, "b": NOT_GIVEN, "c": None}, extra_body={"d": [1]}
    )
    request = build(spec)
    assert json.loads(request.content) == {"a": 1, "c": None, "d": [1]}
    assert request.headers["content-type"] == "application/json"


def test_a_body_that_is_not_an_object_is_sent_as_it_is() -> None:
    spec: RequestSpec[object] = RequestSpec("post", "/x", body={"": [1, 2]})
    assert json.loads(build(spec).content) == [1, 2]


def test_a_form_body_encodes_objects_as_json_and_leaves_out_none() -> None:
    spec: RequestSpec[object] = RequestSpec(
        "post", "/x", body={"a": None, "b": True, "c": {"k": 1}}, body_encoding="form"
    )
    request = build(spec)
    assert request.content == b"b=true&c=%7B%22k%22%3A+1%7D"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"


def test_a_multipart_body_sends_every_field_as_a_part_and_files_as_files() -> None:
    spec: RequestSpec[object] = RequestSpec(
        "post",
        "/x",
        body={"file": ("a.wav", b"RIFF"), "model": "m", "options": {"k": 1}},
        body_encoding="multipart",
        file_fields=("file",),
    )
    request = build(spec)
    body = request.read()
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="a.wav"\r\nContent-Type: audio/x-wav\r\n\r\nRIFF' in body
    assert b'name="model"\r\n\r\nm\r\n' in body
    assert b'name="options"\r\nContent-Type: application/json\r\n\r\n{"k": 1}\r\n' in body


def test_a_multipart_file_field_refuses_text() -> None:
    spec: RequestSpec[object] = RequestSpec(
        "post",
        "/x",
        body={"file": "not a file"},
        body_encoding="multipart",
        file_fields=("file",),
        arg_names={"file": "audio_file"},
    )
    with pytest.raises(ArgumentError, match="^`audio_file` must be bytes, .*; got str$"):
        build(spec)


def test_a_binary_body_is_sent_as_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"\x00\x01")
    for given in (b"\x00\x01", bytearray(b"\x00\x01"), io.BytesIO(b"\x00\x01"), path):
        spec: RequestSpec[object] = RequestSpec(
            "put", "/x", body={"": given}, body_encoding="binary"
        )
        assert build(spec).content == b"\x00\x01"


# -- headers and options ---------------------------------------------------------------
def test_headers_say_what_the_call_accepts_and_extra_headers_replace_or_remove() -> None:
    spec: RequestSpec[object] = RequestSpec(
        "get",
        "/x",
        headers={"X-Mode": Colour.RED, "X-None": None},
        response_kind="binary",
        extra_headers={"User-Agent": "mine", "X-Mode": Omit()},
    )
    headers = build(spec).headers
    assert headers["accept"] == "*/*" and headers["user-agent"] == "mine"
    assert "x-mode" not in headers and "x-none" not in headers
    stream: RequestSpec[object] = RequestSpec("post", "/x", stream_type=dict)
    assert build(stream, "key-1").headers["accept"] == "text/event-stream"
    assert build(stream, "key-1").headers["idempotency-key"] == "key-1"


def test_the_timeout_of_the_call_replaces_the_clients() -> None:
    spec: RequestSpec[object] = RequestSpec("get", "/x")
    assert build(spec).extensions["timeout"]["read"] == 7.0
    own: RequestSpec[object] = RequestSpec("get", "/x", timeout=2.5)
    assert build(own).extensions["timeout"] == httpx.Timeout(2.5).as_dict()


# -- uploads ---------------------------------------------------------------------------
def test_an_upload_is_the_same_on_every_attempt(tmp_path: Path) -> None:
    path = tmp_path / "voice.wav"
    path.write_bytes(b"RIFF")
    assert upload("f", path) == ("voice.wav", b"RIFF")
    assert upload("f", ("n.wav", memoryview(b"ab"), "audio/wav")) == ("n.wav", b"ab", "audio/wav")

    class Pipe(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readall(self) -> bytes:
            return b"piped"

    assert upload("f", Pipe()) == b"piped"  # read once, so that a retry sends it again
    seekable = io.BytesIO(b"x")
    assert upload("f", seekable) is seekable
    with pytest.raises(ArgumentError, match="cannot read the file"):
        upload("f", tmp_path / "missing.wav")


def test_what_an_upload_may_be() -> None:
    for value in (b"x", bytearray(b"x"), io.BytesIO(b"x"), Path("p"), ("n", b"x")):
        assert upload_value("f", value) is value
    for value in ("text", io.StringIO("text"), ("n", "text"), 3):
        with pytest.raises(ArgumentError):
            upload_value("f", value)
    assert content(memoryview(b"ab")) == b"ab"
