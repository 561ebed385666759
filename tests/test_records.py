"""shape: annotations to pydantic-core schemas, and the Model records they fill."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phasedocs.input import records as shape
from phasedocs.input.models import Phase, Task
from phasedocs.input.records import Aware, Before, Check, MinLen, Model, Range, parse


def _upper(value: str) -> str:
    if value != value.upper():
        raise ValueError(f"'{value}' must be upper case")
    return value


class Inner(Model):
    """A nested model."""

    n: Annotated[int, Range(ge=0)]
    """A number."""


class Sample(Model):
    """Every annotation shape understands."""

    text: Annotated[str, MinLen(1)]
    """Strict, non-empty text."""
    flag: bool = False
    """Strict bool."""
    size: Annotated[float, Range(gt=0, le=10)] = 1.0
    """A bounded number."""
    when: Annotated[datetime, Aware] | None = None
    """An aware datetime."""
    kind: Literal["a", "b"] = "a"
    """One of two."""
    items: Annotated[tuple[Inner, ...], MinLen(1)] = (Inner(n=0),)
    """At least one nested model."""
    table: dict[str, int] = {}
    """A mapping."""
    code: Annotated[str, Check(_upper)] | None = None
    """Checked after the type."""
    line: Annotated[str, Before(lambda v: f"{v}!" if isinstance(v, int) else v)] = ""
    """Converted before the type."""

    def _check(self) -> None:
        if self.flag and self.code is None:
            raise ValueError("a flagged sample needs a code")


def errors(data: Any, cls: type = Sample) -> list[tuple[str, tuple[Any, ...]]]:
    with pytest.raises(shape.ValidationError) as info:
        parse(cls, data)
    return [(e["type"], e["loc"]) for e in info.value.errors()]


def test_a_valid_mapping_becomes_the_model_with_defaults():
    s = parse(Sample, {"text": "x", "items": [{"n": "3"}], "when": "2025-01-01T00:00:00Z", "line": 7})
    assert s == Sample(text="x", items=(Inner(n=3),), when=datetime(2025, 1, 1, tzinfo=UTC), line="7!")
    assert type(s.items) is tuple


def test_every_fault_of_a_file_is_reported_with_its_location():
    assert errors(
        {
            "text": 5,
            "flag": "yes",
            "size": 0,
            "when": "2025-01-01T00:00:00",
            "kind": "c",
            "items": [{"n": -1}, {"m": 1}],
            "table": {"a": "x"},
            "code": "low",
            "extra": 1,
        }
    ) == [
        ("string_type", ("text",)),
        ("bool_type", ("flag",)),
        ("greater_than", ("size",)),
        ("timezone_aware", ("when",)),
        ("literal_error", ("kind",)),
        ("greater_than_equal", ("items", 0, "n")),
        ("missing", ("items", 1, "n")),
        ("unexpected_keyword_argument", ("items", 1, "m")),
        ("int_parsing", ("table", "a")),
        ("value_error", ("code",)),
        ("unexpected_keyword_argument", ("extra",)),
    ]


def test_a_list_with_a_bad_item_reports_only_the_item():
    # pydantic-core's variadic tuple would add a spurious "too short" here
    assert errors({"text": "x", "items": [{"n": "x"}]}) == [("int_parsing", ("items", 0, "n"))]
    assert errors({"text": "x", "items": []}) == [("too_short", ("items",))]


def test_a_model_rule_is_located_at_the_model():
    with pytest.raises(shape.ValidationError) as info:
        parse(Sample, {"text": "x", "flag": True})
    (err,) = info.value.errors()
    assert (err["type"], err["loc"], str(err["ctx"]["error"])) == ("value_error", (), "a flagged sample needs a code")


def test_an_annotation_shape_cannot_check_is_refused_when_the_schema_is_built():
    class Odd(Model):
        """Holds a set."""

        values: set[int]
        """Not supported."""

    with pytest.raises(TypeError, match=r"records cannot check the annotation set\[int\]"):
        parse(Odd, {"values": [1]})

    class Either(Model):
        """Holds one of two types."""

        value: int | str
        """Not supported: only X | None is."""

    with pytest.raises(TypeError, match=r"records cannot check the annotation int \| str"):
        parse(Either, {"value": 1})


def test_models_are_immutable_values():
    a, b = Inner(n=1), Inner(n=1)
    assert (a == b, hash(a) == hash(b), repr(a), a == Sample) == (True, True, "Inner(n=1)", False)
    assert repr(Sample(text="a")).startswith("Sample(text='a', flag=False, size=1.0, ")
    with pytest.raises(AttributeError, match="Inner is immutable; cannot set 'n'"):
        a.n = 2  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(a)) == a
    with pytest.raises(TypeError, match="Inner needs the field 'n'"):
        Inner()
    with pytest.raises(TypeError, match="Inner has no field 'm'"):
        Inner(n=1, m=2)


def test_dict_defaults_are_never_shared():
    first, second = Sample(text="a"), parse(Sample, {"text": "b"})
    assert first.table == second.table == {}
    assert first.table is not Sample.table and second.table is not Sample.table


def test_fields_are_in_declaration_order_with_their_annotations():
    class Outer(Inner):
        """Inherits n."""

        label: str = ""
        """A label."""

    assert list(shape.fields(Inner)) == ["n"]
    assert parse(Outer, {"n": 1, "label": "x"}) == Outer(n=1, label="x")
    assert list(shape.fields(Outer)) == ["n", "label"]
    assert list(shape.fields(Task))[:4] == ["id", "slug", "key", "title"]


def test_dump_json_is_stable_and_plain():
    assert shape.dump_json(Inner(n=2)) == '{"n": 2}'
    assert shape.dump(Sample(text="x", when=datetime(2025, 1, 1, tzinfo=UTC)))["when"] == "2025-01-01T00:00:00+00:00"


def test_json_schema_describes_the_same_shape():
    schema = shape.json_schema(Sample)
    props = schema["properties"]
    assert schema["additionalProperties"] is False and schema["required"] == ["text"]
    assert props["text"] == {"minLength": 1, "title": "Text", "type": "string"}
    assert props["size"]["exclusiveMinimum"] == 0 and props["size"]["maximum"] == 10
    assert props["items"]["minItems"] == 1 and props["items"]["default"] == [{"n": 0}]
    assert schema["$defs"]["Inner"]["properties"]["n"]["minimum"] == 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
task_like = st.fixed_dictionaries(
    {},
    optional={
        k: json_values for k in ("id", "slug", "title", "role", "duration_days", "depends_on", "criteria", "objectives")
    },
)


@pytest.mark.fuzz
@given(
    st.dictionaries(
        st.sampled_from(["number", "title", "created", "start", "tasks", "tips", "references", "x"]),
        json_values | st.lists(task_like, max_size=2),
        max_size=6,
    )
)
def test_any_json_input_gives_a_phase_or_located_errors_never_a_crash(data):
    try:
        phase = parse(Phase, data)
    except shape.ValidationError as exc:
        errors = exc.errors()
        assert errors
        for err in errors:  # every error points into the input, at a field that is there or required
            assert isinstance(err["type"], str) and err["loc"]
            assert err["loc"][0] in data or err["type"] == "missing"
    else:
        assert isinstance(phase, Phase)
        assert (phase.number, phase.title, len(phase.tasks)) == (data["number"], data["title"], len(data["tasks"]))


@given(
    st.builds(
        lambda tid, slug, days, deps: {
            "id": tid,
            "slug": slug,
            "title": "T",
            "role": "r",
            "duration_days": days,
            "depends_on": deps,
        },
        st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,6}", fullmatch=True),
        st.from_regex(r"[a-z][a-z0-9-]{0,6}", fullmatch=True),
        st.floats(min_value=0.01, max_value=100),
        st.lists(st.text(min_size=1, max_size=4), max_size=3),
    )
)
def test_a_task_survives_dump_and_parse(data):
    task = parse(Task, data)
    assert parse(Task, shape.dump(task)) == task
