"""Typed input models as immutable records, checked by pydantic-core.

pydantic's ``BaseModel`` builds every model's validator in Python when the class is
created: for our models about 60 ms, on top of 20 ms to import ``BaseModel``, which is
more than the rest of a whole ``phasedocs validate`` costs. So the models are plain
immutable records (:class:`Model`), and this module turns their annotations into one
pydantic-core schema per model, on first use: the same Rust validator, the same error
types and locations as ``BaseModel``, every error of a file collected. pydantic itself is
imported only to write JSON Schemas (:func:`json_schema`), from the same core schema.

The annotations this understands are the few the input format needs: ``str`` and
``bool`` (strict), ``int``, ``float``, ``datetime``, ``date``, ``Any``, ``Literal[...]``,
``X | None``, ``tuple[X, ...]``, ``dict[K, V]``, nested models, and ``Annotated`` with
the markers below. Anything else is a programming error, raised when the schema is built.
"""

from __future__ import annotations

import copy
import functools
import inspect
import json
import types
import typing
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal, NamedTuple, TypeVar, get_args, get_origin, get_type_hints

from pydantic_core import SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

__all__ = [
    "Aware",
    "Before",
    "Check",
    "MaxLen",
    "MinLen",
    "Model",
    "Pattern",
    "Range",
    "ValidationError",
    "dump",
    "dump_json",
    "fields",
    "forget_schemas",
    "parse",
]

T = TypeVar("T")


# markers are NamedTuples: immutable like frozen dataclasses, a tenth of the cost to define


class MinLen(NamedTuple):
    """At least ``length`` characters (text) or items (lists)."""

    length: int


class MaxLen(NamedTuple):
    """At most ``length`` characters (text) or items (lists)."""

    length: int


class Range(NamedTuple):
    """Bounds of a number: more than ``gt``, at least ``ge``, at most ``le``."""

    gt: float | None = None
    ge: float | None = None
    le: float | None = None


class Pattern(NamedTuple):
    """Text matching ``regex`` (anchored with ``^...$``); the JSON Schema carries it, so editors check it too."""

    regex: str


class Check(NamedTuple):
    """A function run on the typed value; it returns the value or raises ``ValueError``."""

    function: typing.Callable[[Any], Any]


class Before(NamedTuple):
    """A function run on the raw value before its type is checked."""

    function: typing.Callable[[Any], Any]
    json: str | None = None
    """The JSON Schema (as JSON text: annotations must hash) of another raw form ``function``
    accepts; the generated schema then allows both."""


Aware = "tz-aware"
"""Marker: the datetime must carry a time zone (``Annotated[datetime, Aware]``)."""


class Model:
    """Base of the input models: immutable records with keyword construction, ``==`` and repr.

    What ``@dataclass(frozen=True, kw_only=True)`` gives, written once here: dataclasses
    generate and compile every method of every class at import, about 1 ms a model, and
    the models alone would then cost a tenth of a whole ``validate``. Fields are the
    class's annotations, in order; a class attribute of the same name is its default.
    A model may define ``_check(self) -> None`` for rules across its fields; it raises
    ``ValueError`` with the message users see, located at the model.
    """

    __fields__: ClassVar[tuple[str, ...]] = ()
    # pydantic reads this (a plain dict: its ConfigDict) when it writes the JSON Schema
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        inherited = tuple(getattr(cls.__base__, "__fields__", ()))
        cls.__fields__ = inherited + tuple(n for n in inspect.get_annotations(cls) if n not in inherited)

    def __init__(self, **values: Any) -> None:
        """Build from keywords without checks (tests, defaults); inputs go through :func:`parse`."""
        cls = type(self)
        unknown = values.keys() - set(cls.__fields__)
        if unknown:
            raise TypeError(f"{cls.__name__} has no field {sorted(unknown)[0]!r}")
        data = {}
        for name in cls.__fields__:
            if name in values:
                data[name] = values[name]
            elif hasattr(cls, name):
                default = getattr(cls, name)
                data[name] = copy.copy(default) if default.__hash__ is None else default  # no shared dicts
            else:
                raise TypeError(f"{cls.__name__} needs the field {name!r}")
        object.__setattr__(self, "__dict__", data)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return other.__dict__ == self.__dict__

    def __hash__(self) -> int:
        return hash((type(self), *self.__dict__.values()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.__dict__.items())
        return f"{type(self).__name__}({shown})"


def fields(cls: type[Model]) -> dict[str, Any]:
    """Field name -> resolved annotation (with ``Annotated`` extras) of a model, in order."""
    hints = _hints(cls)
    return {name: hints[name] for name in cls.__fields__}


def parse(cls: type[T], data: Any) -> T:
    """Check ``data`` (plain values from YAML or JSON) against ``cls``; return the instance.

    Raises ``pydantic_core.ValidationError`` listing every fault.
    """
    return _validator(cls).validate_python(data)


def dump(obj: Model) -> dict[str, Any]:
    """The fields of a model instance as plain values (nested models as dicts, tuples as lists)."""
    return _plain(obj)


def dump_json(obj: Model) -> str:
    """A stable JSON text of a model instance (sorted keys), for digests and worker processes."""
    return json.dumps(obj, sort_keys=True, default=_json_default)


def forget_schemas() -> None:
    """Drop every validator built and every annotation resolved: a model's fields changed at run
    time (a kind of extractor registered), so each is built again, from the fields as they are now."""
    _VALIDATORS.clear()
    _HINTS.clear()


def core_schema(cls: type) -> cs.CoreSchema:
    """The pydantic-core schema of ``cls`` and every model it contains."""
    definitions: dict[type, cs.CoreSchema] = {}
    root = _schema(cls, definitions)
    return cs.definitions_schema(root, list(definitions.values()))


def json_schema(cls: type) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``cls``, generated by pydantic from the same core schema."""
    from pydantic.json_schema import GenerateJsonSchema

    class Generate(GenerateJsonSchema):
        def encode_default(self, dft: Any) -> Any:
            # models, also inside tuples, as the plain JSON values an input file would hold
            return super().encode_default(_plain(dft))

        def function_before_schema(self, schema: Any) -> Any:
            # a Before function that also reads another form: the schema accepts both
            inner = super().function_before_schema(schema)
            other = _RAW_FORMS.get(schema["function"]["function"])
            return {"anyOf": [inner, other]} if other else inner

    return Generate().generate(core_schema(cls), mode="validation")


def _plain(value: Any) -> Any:
    """``value`` as the plain JSON values an input file would hold."""
    return json.loads(json.dumps(value, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, Model):
        return value.__dict__
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


_VALIDATORS: dict[type, SchemaValidator] = {}
_RAW_FORMS: dict[typing.Callable[[Any], Any], dict[str, Any]] = {}
"""Before functions -> the JSON Schema of the other raw form each reads (see :class:`Before`)."""
_HINTS: dict[type, dict[str, Any]] = {}


def _validator(cls: type) -> SchemaValidator:
    found = _VALIDATORS.get(cls)
    if found is None:  # built once per model class, on first use
        found = _VALIDATORS[cls] = SchemaValidator(core_schema(cls))
    return found


def _hints(cls: type) -> dict[str, Any]:
    found = _HINTS.get(cls)
    if found is None:
        found = _HINTS[cls] = get_type_hints(cls, include_extras=True)
    return found


def _ref(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _no_bool(make: Any, word: str, **constraints: Any) -> cs.CoreSchema:
    """A number schema that refuses true and false (which pydantic would read as 1 and 0)."""

    def refuse(value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"expected {word}, got {str(value).lower()}")
        return value

    return cs.no_info_before_validator_function(refuse, make(**constraints))


_SCALARS: dict[Any, typing.Callable[..., cs.CoreSchema]] = {
    str: functools.partial(cs.str_schema, strict=True),
    bool: functools.partial(cs.bool_schema, strict=True),
    # YAML's true is no number (pydantic would read it as 1); "2" still reads as 2, as it always did
    int: functools.partial(_no_bool, cs.int_schema, "a whole number"),
    float: functools.partial(_no_bool, cs.float_schema, "a number"),
    datetime: cs.datetime_schema,
    date: cs.date_schema,
    Any: cs.any_schema,
}


def _schema(tp: Any, definitions: dict[type, cs.CoreSchema], **constraints: Any) -> cs.CoreSchema:
    """The core schema of annotation ``tp``; ``constraints`` (min_length, gt, ...) apply to it."""
    if isinstance(tp, type) and issubclass(tp, Model) and not constraints:
        if tp not in definitions:
            definitions[tp] = cs.any_schema()  # placeholder: a model may (indirectly) contain itself
            definitions[tp] = _model_schema(tp, definitions)
        return cs.definition_reference_schema(_ref(tp))
    if tp in _SCALARS:
        return _SCALARS[tp](**constraints)
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        return _annotated(args[0], args[1:], definitions, constraints)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _tuple(args[0], definitions, constraints)
    if constraints:
        raise TypeError(f"records cannot constrain {tp!r} with {constraints}")
    if origin is Literal:
        return cs.literal_schema(list(args))
    if origin in (types.UnionType, typing.Union):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1 and len(args) == 2:
            return cs.nullable_schema(_schema(rest[0], definitions))
    if origin is dict and len(args) == 2:
        return cs.dict_schema(_schema(args[0], definitions), _schema(args[1], definitions))
    raise TypeError(f"records cannot check the annotation {tp!r}")


def _annotated(
    tp: Any, markers: tuple[Any, ...], definitions: dict[type, cs.CoreSchema], constraints: dict[str, Any]
) -> cs.CoreSchema:
    wrappers = []
    for marker in markers:
        if isinstance(marker, MinLen):
            constraints["min_length"] = marker.length
        elif isinstance(marker, MaxLen):
            constraints["max_length"] = marker.length
        elif isinstance(marker, Range):
            constraints.update({k: v for k, v in marker._asdict().items() if v is not None})
        elif isinstance(marker, Pattern):
            constraints["pattern"] = marker.regex
        elif marker == Aware:
            constraints["tz_constraint"] = "aware"
        elif isinstance(marker, (Check, Before)):
            wrappers.append(marker)
        else:
            raise TypeError(f"records does not know the marker {marker!r}")
    schema = _schema(tp, definitions, **constraints)
    for marker in wrappers:
        wrap = (
            cs.no_info_after_validator_function if isinstance(marker, Check) else cs.no_info_before_validator_function
        )
        schema = wrap(marker.function, schema)
        if isinstance(marker, Before) and marker.json is not None:
            _RAW_FORMS[marker.function] = json.loads(marker.json)
    return schema


def _tuple(item: Any, definitions: dict[type, cs.CoreSchema], constraints: dict[str, Any]) -> cs.CoreSchema:
    # a list converted to a tuple: pydantic-core's own variadic tuple reports a spurious
    # "too short" beside the real error when an item fails
    return cs.no_info_after_validator_function(tuple, cs.list_schema(_schema(item, definitions), **constraints))


def _model_schema(cls: type[Model], definitions: dict[type, cs.CoreSchema]) -> cs.CoreSchema:
    args = []
    for name, annotation in fields(cls).items():
        schema = _schema(annotation, definitions)
        if hasattr(cls, name):  # pydantic-core copies a default that cannot be hashed (a dict)
            schema = cs.with_default_schema(schema, default=getattr(cls, name))
        args.append(cs.dataclass_field(name, schema, kw_only=True))
    # a dataclass schema needs no dataclass: pydantic-core fills __dict__ of a bare instance
    fields_schema = cs.dataclass_args_schema(cls.__name__, args, extra_behavior="forbid")
    if getattr(cls, "_check", None) is None:
        return cs.dataclass_schema(cls, fields_schema, list(cls.__fields__), ref=_ref(cls))

    def run_check(value: Any) -> Any:
        value._check()
        return value

    body = cs.dataclass_schema(cls, fields_schema, list(cls.__fields__))
    return cs.no_info_after_validator_function(run_check, body, ref=_ref(cls))
