"""The YAML and JSON loaders: positions, safety rules, exact errors."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from phasedocs.errors import InputError, Location
from phasedocs.input.loader import MAX_NODES, format_path, parse_json, parse_yaml


def error_of(fn, text: str, file: str = "f.yaml") -> str:
    with pytest.raises(InputError) as info:
        fn(text, file)
    return info.value.text


def test_positions_of_nested_values():
    doc = parse_yaml("a:\n  b:\n    - x\n    - y: 3\n", "f.yaml")
    assert doc.data == {"a": {"b": ["x", {"y": 3}]}}
    assert doc.positions[("a", "b", 1, "y")] == (4, 10)
    assert doc.positions[("a", "b", 0)] == (3, 7)
    assert doc.locate(("a", "b", 5, "zz")).line == 3  # falls back to the nearest known ancestor: the list


def test_raw_text_of_scalars_kept_for_hints():
    doc = parse_yaml("id: 3.10\n", "f.yaml")
    assert doc.data["id"] == 3.1
    assert doc.raw[("id",)] == "3.10"


def test_duplicate_key_refused():
    assert (
        error_of(parse_yaml, "a: 1\nb: 2\na: 3\n")
        == "f.yaml:3:1: a: duplicate key 'a' (first on line 1); keep one of them"
    )


def test_object_building_tag_refused():
    assert error_of(parse_yaml, "x: !!python/object/apply:os.system ['ls']\n") == (
        "f.yaml:1:4: x: tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed; remove it"
    )


def test_custom_tag_on_mapping_refused():
    assert error_of(parse_yaml, "x: !thing {a: 1}\n") == "f.yaml:1:4: x: tag '!thing' is not allowed; remove it"


def test_billion_laughs_refused_fast():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    message = error_of(parse_yaml, "\n".join(lines) + "\n")
    assert f"the file expands to more than {MAX_NODES:,} values" in message


def test_aliases_may_repeat_values_up_to_the_limit_and_no_further(monkeypatch):
    from phasedocs.input import loader

    monkeypatch.setattr(loader, "MAX_NODES", 3)
    # each use of *a reaches its list and both items again: 3 repeats, at the limit; the
    # error points at the repeated values (line 1) under the key that repeats them
    assert parse_yaml("a: &a [1, 2]\nb: *a\n", "f.yaml").data == {"a": [1, 2], "b": [1, 2]}
    assert parse_yaml("a: &a {x: 1}\nb: *a\n", "f.yaml").data == {"a": {"x": 1}, "b": {"x": 1}}  # not recursive
    assert error_of(parse_yaml, "a: &a [1, 2]\nb: *a\nc: *a\n") == (
        "f.yaml:1:4: c: the file expands to more than 3 values (aliases repeating aliases?); "
        "write the values out or use fewer aliases"
    )


def test_recursive_alias_refused():
    assert (
        error_of(parse_yaml, "a: &x [1, *x]\n")
        == "f.yaml:1:4: a[1]: an alias refers to itself; remove the recursive alias"
    )  # the alias is its anchor's node


def test_merge_key_refused():
    assert error_of(parse_yaml, "base: &b {x: 1}\nother:\n  <<: *b\n") == (
        "f.yaml:3:3: other: merge keys ('<<') are not supported; write the keys out"
    )


def test_syntax_error_has_position():
    assert error_of(parse_yaml, "a: [1, 2\nb: 3\n") == "f.yaml:2:2: not valid YAML: did not find expected ',' or ']'"


def test_nan_refused_in_yaml():
    assert error_of(parse_yaml, "x: .nan\n") == "f.yaml:1:4: x: '.nan' is not a finite number"


def test_timestamps_keep_zone():
    doc = parse_yaml("t: 2025-10-23T08:00:00Z\n", "f.yaml")
    assert doc.data["t"] == dt.datetime(2025, 10, 23, 8, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": NaN}', "m.json:1:7: NaN is not a number JSON allows; write a number or null"),
        ('{"a": Infinity}', "m.json:1:7: Infinity is not a number JSON allows; write a number or null"),
        (
            '{"a": 1,',
            "m.json:1:9: not valid JSON: Expecting property name enclosed in double quotes (the file ends too early: is it truncated?)",
        ),
        ("[1, 2]", "m.json:1:1: a snapshot must be a JSON object {...}, not list"),
        ("null", "m.json:1:1: a snapshot must be a JSON object {...}, not null"),
        ("", "m.json:1:1: not valid JSON: Expecting value (the file ends too early: is it truncated?)"),
        (
            '{"timestamp": "2025-01',
            'm.json:1:15: not valid JSON: Unterminated string (it starts here: a closing " is missing, or the file is truncated)',
        ),
        ('{"a": "x\ty"}', "m.json:1:9: not valid JSON: Invalid control character"),
    ],
)
def test_bad_json(text, message):
    assert error_of(parse_json, text, "m.json") == message


def test_json_positions_point_at_keys():
    doc = parse_json('{\n  "timestamp": "x",\n  "metrics": {\n    "a": 1,\n    "b": 2\n  }\n}', "m.json")
    assert doc.locate(("metrics", "b")) == Location("m.json", 5, 10)
    assert doc.locate(("timestamp",)) == Location("m.json", 2, 16)


def test_format_path():
    assert format_path(("tasks", 3, "depends_on", 0)) == "tasks[3].depends_on[0]"
    assert format_path(()) == ""


# ----------------------------------------------------------------------------- properties
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=20),
)
data = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@pytest.mark.fuzz
@settings(max_examples=200, deadline=None)
@given(data)
def test_agrees_with_safe_load_on_dumped_data(value):
    text = yaml.safe_dump({"root": value}, allow_unicode=True)
    assert parse_yaml(text, "f.yaml").data == yaml.safe_load(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_gives_data_or_our_error(text):
    try:
        doc = parse_yaml(text, "f.yaml")
    except InputError as exc:
        assert re.match(r"f\.yaml(:\d+:\d+)?: \S", exc.text), exc.text  # located, with a message
        assert "\n" not in exc.text
    else:  # what we accept, PyYAML reads the same way (we refuse more, and keep keys such as '7:' as written)
        assert _plain(doc.data)
        theirs = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # the parser we use
        if _string_keys(theirs):
            assert doc.data == theirs


def _string_keys(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _string_keys(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_string_keys(v) for v in value)
    return True


def _plain(value) -> bool:
    """True when ``value`` is built only of the types the loader promises."""
    import datetime

    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool, datetime.date))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_json_text_gives_data_or_our_error(text):
    try:
        doc = parse_json(text, "m.json")
    except InputError as exc:
        assert re.match(r"m\.json(:\d+:\d+)?: \S", exc.text), exc.text
    else:
        assert isinstance(doc.data, dict) and doc.data == json.loads(text)


@pytest.mark.parametrize(
    "text",
    [
        "a:\n  b: [1, 2]\n  c: {d: 2025-10-23T08:00:00Z}\n",
        "a: 1\na: 2\n",
        "x: !!python/object/apply:os.system ['ls']\n",
        "a: &x [1, *x]\n",
        "a: [1, 2\nb: 3\n",
        "id: 3.10\n",
    ],
)
def test_the_pure_python_fallback_gives_the_same_answers(text, monkeypatch):
    import phasedocs.input.loader as loader

    def outcome():
        try:
            doc = parse_yaml(text, "f.yaml")
        except InputError as exc:
            # the place and our wording are the same; the parsers phrase a syntax error their own way
            return exc.text.split(" not valid YAML: ")[0]
        return doc.data, doc.positions, doc.raw

    assert loader._Loader is yaml.CSafeLoader  # libyaml is there, and used
    fast = outcome()
    monkeypatch.setattr(loader, "_Loader", yaml.SafeLoader)
    assert outcome() == fast


def test_json_positions_survive_escapes_arrays_and_nesting():
    text = (
        "{\n"
        '  "label": "a \\"quoted\\" word, {not: a key}",\n'
        '  "list": [1, {"x": 2}, 3],\n'
        '  "metrics": {"a": 1, "b": {"c": 3}},\n'
        '  "tasks": {"1.1": {"state": "blocked", "note": "n"}}\n'
        "}"
    )
    doc = parse_json(text, "m.json")
    assert doc.locate(("label",)) == Location("m.json", 2, 12)
    assert doc.locate(("list",)) == Location("m.json", 3, 11)
    assert doc.locate(("metrics", "b", "c")) == Location("m.json", 4, 34)
    assert doc.locate(("tasks", "1.1", "note")) == Location("m.json", 5, 49)
    assert doc.locate(("tasks", "1.1", "missing")) == Location("m.json", 5, 20)  # the nearest known parent


def test_a_duplicate_json_key_is_found_after_escaped_quotes_and_nested_objects():
    text = '{\n  "note": "say \\"a\\": 1",\n  "metrics": {"a": {"b": 1}, "a": 2}\n}'
    assert error_of(parse_json, text, "m.json") == ("m.json:3:30: metrics.a: duplicate key 'a'; keep one of them")


def test_format_path_quotes_keys_that_are_not_names_and_keeps_their_letters():
    assert format_path(("tasks", "7.1", "state")) == 'tasks["7.1"].state'
    assert format_path(("metrics", "größe")) == 'metrics["größe"]'  # the letters as written, not \u escapes


def test_the_largest_number_allowed_is_1e15_itself():
    doc = parse_json('{"a": 1e15, "b": -1e15, "c": 1.0000001e15}', "m.json")
    assert (doc.data["a"], doc.data["b"]) == (1e15, -1e15)
    assert type(doc.data["c"]).__name__ == "OutOfRange"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "tasks:\n  - id: a\n    title: x\n - id: b\n",
            "f.yaml:4:2: not valid YAML: did not find expected key; line 4 is indented less than the list it "
            "belongs to (indented 2 spaces on the lines above, 1 here); line it up with them",
        ),
        (
            "tasks:\n  - id: a\n  title: x\n",
            "f.yaml:3:3: not valid YAML: did not find expected '-' indicator; line 3 is indented like the items of "
            "the list that starts on line 2 but is not one; start it with '- ', or indent it further if it belongs "
            "to the item above",
        ),
        (
            "tasks:\n  - id: a\n    title: c\n   slug: d\n",
            "f.yaml:4:4: not valid YAML: did not find expected '-' indicator; line 4 is indented 3 spaces: not like "
            "the list's '- ' (2) nor like the keys of its items (4); line it up with one of them",
        ),
        (
            "title: Fix: this thing\n",
            "f.yaml:1:11: not valid YAML: mapping values are not allowed in this context; line 1 holds a second "
            "': ' in its value; put the value in quotes (\"...\")",
        ),
        (
            "a:\n  b: 1\n   c: 2\n",
            "f.yaml:3:5: not valid YAML: mapping values are not allowed in this context; line 3 is indented more "
            "than the keys above it; line it up with them",
        ),
        (
            "m:\n  a: 1\n b: 2\n",
            "f.yaml:3:2: not valid YAML: did not find expected key; line 3 is indented less than the mapping it "
            "belongs to (indented 2 spaces on the lines above, 1 here); line it up with them",
        ),
        (
            "tasks:\n  - id: a\n    title: x\n    - bad\n",
            "f.yaml:4:5: not valid YAML: did not find expected key; line 4 does not line up with the lines above "
            "it; indent it exactly like the keys or items it belongs with",
        ),
        (
            "a:\n\tb: 1\n",
            "f.yaml:2:1: not valid YAML: found character that cannot start any token; line 2 holds a tab: YAML "
            "indents with spaces only; replace the tab with spaces",
        ),
    ],
)
def test_yaml_syntax_errors_in_plain_words(text, message):
    assert error_of(parse_yaml, text) == message


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        # the keys of the item above: past its '- ' (2 + 2), blank lines and comments skipped
        (
            "tasks:\n  - a\n  - b\n  # x\n   slug: d\n",
            "line 5 is indented 3 spaces: not like the list's '- ' (2) nor like the keys of its items (4)",
        ),
        (
            "tasks:\n  - id: a\n\n      # c\n   slug: d\n",
            "line 5 is indented 3 spaces: not like the list's '- ' (2) nor like the keys of its items (4)",
        ),
        (
            "tasks:\n  - id: a\n    title: c\n        # c\n   slug: d\n",
            "line 5 is indented 3 spaces: not like the list's '- ' (2) nor like the keys of its items (4)",
        ),
        # a tab after where the parser stopped is not the fault; one in the indentation is
        (
            "a:\n  - x\n  bb\t: 1\n",
            "line 3 is indented like the items of the list that starts on line 2 but is not one",
        ),
        ("a:\n  - x\n  b\t: 1\n", "line 3 is indented like the items of the list that starts on line 2 but is not one"),
        ("- a\nb\t: 1\n", "line 2 is indented like the items of the list that starts on line 1 but is not one"),
        ("a: : c\n", "line 1 holds a second ': ' in its value"),
        ("a:\n  b: 1\n  c\n  - d\n", "line 3 is neither 'key: value' nor a '- ' item"),
    ],
)
def test_yaml_explanations_name_the_line_and_its_neighbours(text, plain):
    with pytest.raises(InputError) as info:
        parse_yaml(text, "f.yaml")
    assert plain in info.value.format_message()


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        # PyYAML's own parser (no libyaml) says "expected <block end>"; the words are the same
        (
            "tasks:\n  - id: 1\n    name: x\n\n      # note\n   owner: y\n",
            "line 6 is indented less than the mapping it belongs to (indented 4 spaces on the lines above, 3 here)",
        ),
        (
            "a:\n  b:\n      # x\n    c: 1\n   d: 2\n",
            "line 5 is indented less than the mapping it belongs to (indented 4 spaces on the lines above, 3 here)",
        ),
        ("m:\n  a: 1\n  - b\n", "line 3 does not line up with the lines above it"),
        ("a:\n\tb: 1\n", "line 2 holds a tab"),
        ("a: 1\nb\tc\nd: 2\n", "line 2 holds a tab"),
    ],
)
def test_yaml_explanations_without_libyaml(text, plain):
    from phasedocs.input.loader import explain_yaml

    with pytest.raises(yaml.MarkedYAMLError) as info:
        yaml.load(text, Loader=yaml.SafeLoader)
    assert plain in (explain_yaml(info.value, text) or "")


@pytest.mark.parametrize(
    ("text", "location"),
    [
        # the second is written with an escape: found where the first was not repeated, so at the start
        ('{"a": 1, "\\u0061": 2}', "m.json:1:1: a: duplicate key 'a'"),
        ('{"\\u0061": 1, "\\u0061": 2}', "m.json:1:1: a: duplicate key 'a'"),
        ('{"": 1, "": 2}', "m.json:1:9: duplicate key ''"),
        ('{"a": {"": 1, "": 2}}', "m.json:1:15: a[\"\"]: duplicate key ''"),
        ('{"": {"x": 1, "x": 2}}', "m.json:1:15: [\"\"].x: duplicate key 'x'"),
        ('{"a\\"b": {"x": 1,\n "x": 2}}', 'm.json:2:2: ["a\\"b"].x: duplicate key \'x\''),
        ('{"a" : {"x": 1, "x": 2}}', "m.json:1:17: a.x: duplicate key 'x'"),
        ('{"a": {"s": "v"}, "b": {"x": 1, "x": 2}}', "m.json:1:33: b.x: duplicate key 'x'"),
        ('{"l": [{"k": 1}, {"x": 1, "x": 2}]}', "m.json:1:27: l.x: duplicate key 'x'"),
    ],
)
def test_a_duplicate_json_key_is_placed_by_its_enclosing_keys(text, location):
    assert error_of(parse_json, text, "m.json").startswith(location)


def test_line_column_counts_from_one_after_a_leading_newline():
    from phasedocs.input.loader import line_column

    assert line_column("\nab", 2) == (2, 2)
    assert line_column("ab\ncd\n", 4) == (2, 2)
    assert line_column("ab", 0) == (1, 1)


def test_json_positions_of_values_that_start_a_line_and_only_three_levels_deep():
    text = '{\n"a":\n5,\n"b": {"c": {"d": {"e": 1}}},\n"f":\n\n\n7\n}'
    doc = parse_json(text, "m.json")
    assert doc.locate(("a",)) == Location("m.json", 3, 1)
    assert doc.locate(("f",)) == Location("m.json", 8, 1)
    assert doc.locate(("b", "c", "d")) == Location("m.json", 4, 18)
    assert ("b", "c", "d", "e") not in doc.positions  # the fourth level is left to its parent


def test_json_positions_on_every_line_of_a_long_file():
    text = "{\n" + ",\n".join(f'"k{i}":\n{i}' for i in range(40)) + "\n}"
    doc = parse_json(text, "m.json")
    assert [doc.locate((f"k{i}",)).line for i in range(40)] == [3 + 2 * i for i in range(40)]


def test_a_whole_number_past_the_magnitude_limit_is_kept_as_written():
    doc = parse_json('{"a": 1000000000000001, "b": -1000000000000000}', "m.json")
    assert (type(doc.data["a"]).__name__, doc.data["a"].text, doc.data["b"]) == (
        "OutOfRange",
        "1000000000000001",
        -1000000000000000,
    )
