"""Validate parsed YAML against a schema model, every problem at its line, in Dutch.

Pydantic reports each error with a ``loc`` (a path into the data); :func:`validate`
turns each into a :class:`~werkboek.errors.Problem` at that path's line and column in
the file, with a message a content editor understands, and for an unknown key the
nearest keys that the model accepts *at that place*.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, Discriminator, Tag, ValidationError

from ..errors import Problem, did_you_mean
from .source import PathPart, YamlFile, format_path

M = TypeVar("M", bound=BaseModel)

TYPE_MESSAGES = {
    "dict_type": "verwacht sleutels met waarden (sleutel: waarde)",
    "model_type": "verwacht sleutels met waarden (sleutel: waarde)",
    "model_attributes_type": "verwacht sleutels met waarden (sleutel: waarde)",
    "list_type": "verwacht een lijst (regels die met '- ' beginnen)",
    "tuple_type": "verwacht een lijst",
    "string_type": "verwacht tekst",
    "int_type": "verwacht een geheel getal",
    "int_parsing": "verwacht een geheel getal",
    "int_from_float": "verwacht een geheel getal",
    "bool_type": "verwacht true of false",
    "bool_parsing": "verwacht true of false",
    "date_type": "verwacht een datum zoals 2025-09-30",
    "date_parsing": "verwacht een datum zoals 2025-09-30",
    "date_from_datetime_parsing": "verwacht een datum zoals 2025-09-30",
    "date_from_datetime_inexact": "verwacht een datum zoals 2025-09-30, zonder tijd",
    "float_type": "verwacht een getal",
    "float_parsing": "verwacht een getal",
}


def _clean_loc(data: Any, loc: tuple[Any, ...]) -> list[PathPart]:
    """Drop the parts of a pydantic ``loc`` that are not in the data (union tags)."""
    parts: list[PathPart] = []
    node = data
    for index, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            parts.append(part)
            node = node[part]
        elif isinstance(node, list | tuple) and isinstance(part, int):
            parts.append(part)
            node = None
        elif index == len(loc) - 1 and isinstance(part, str) and isinstance(node, dict):
            parts.append(part)  # a missing or unknown key: name it
    return parts


def _member(annotation: Any, value: Any) -> Any:
    """For a discriminated union, the member type that ``value`` selects (or None)."""
    union, *metadata = get_args(annotation)
    discriminator = next((m for m in metadata if isinstance(m, Discriminator)), None)
    if discriminator is None or not callable(discriminator.discriminator):
        return union
    tag = discriminator.discriminator(value)
    for member in get_args(union):
        if get_origin(member) is Annotated:
            inner, *marks = get_args(member)
            if any(isinstance(m, Tag) and m.tag == tag for m in marks):
                return inner
    return None


def _model_in(annotation: Any, value: Any) -> type[BaseModel] | None:
    """The model class that validates ``value`` under ``annotation``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = get_origin(annotation)
    if origin is Annotated:
        return _model_in(_member(annotation, value), value)
    for arg in get_args(annotation):
        found = _model_in(arg, value)
        if found is not None:
            return found
    return None


def _keys(cls: type[BaseModel]) -> set[str]:
    return {f.alias or n for n, f in cls.model_fields.items()}


def _keys_at(cls: type[BaseModel], data: Any, parts: list[PathPart]) -> set[str]:
    """The keys that the model at ``parts`` (a mapping in ``data``) accepts."""
    current: type[BaseModel] | None = cls
    annotation: Any = cls
    node = data
    for part in parts:
        if isinstance(part, str):
            if current is None:
                return set()
            fields = {f.alias or n: f for n, f in current.model_fields.items()}
            if part not in fields or not isinstance(node, dict):
                return set()
            annotation = fields[part].annotation
            node = node.get(part)
            current = _model_in(annotation, node) if not isinstance(node, list) else None
        else:
            node = node[part] if isinstance(node, list) and part < len(node) else None
            current = _model_in(annotation, node)
    return _keys(current) if current is not None else set()


def _message(error: Any, cls: type[BaseModel], data: Any, parts: list[PathPart]) -> str:
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        return f"onbekende sleutel {key!r}{did_you_mean(key, _keys_at(cls, data, parts[:-1]))}"
    if kind == "missing":
        return f"de sleutel {error['loc'][-1]!r} ontbreekt"
    if kind in TYPE_MESSAGES:
        return TYPE_MESSAGES[kind]
    if kind in ("greater_than_equal", "greater_than"):
        return f"moet minstens {context.get('ge', context.get('gt'))} zijn"
    if kind in ("less_than_equal", "less_than"):
        return f"mag hoogstens {context.get('le', context.get('lt'))} zijn"
    if kind == "too_short" and context.get("min_length") == 1:
        return "mag niet leeg zijn"
    if kind == "too_short":
        return f"moet minstens {context.get('min_length')} onderdelen hebben"
    if kind == "too_long":
        return f"mag hoogstens {context.get('max_length')} onderdelen hebben"
    if kind == "literal_error":
        allowed = str(context.get("expected", "")).replace(" or ", " of ")
        return f"{error['input']!r} kan hier niet; kies {allowed}"
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return message


def validate(source: YamlFile, cls: type[M]) -> M | None:
    """Validate a parsed file against a model; problems are added to ``source``."""
    if not source.ok:
        return None
    if not isinstance(source.data, dict):
        source.problems.append(
            source.problem([], "verwacht sleutels met waarden (sleutel: waarde) bovenaan")
        )
        return None
    try:
        return cls.model_validate(source.data)
    except ValidationError as exc:
        for error in exc.errors():
            parts = _clean_loc(source.data, error["loc"])
            if error["type"] == "werkboek_problems":  # several problems with one value
                messages = list((error.get("ctx") or {})["problems"])
            else:
                messages = [_message(error, cls, source.data, parts)]
            for message in messages:
                if error["type"] == "missing":  # at the mapping that lacks it
                    line, column = source.locate(parts[:-1])
                    problem = Problem(source.display, line, column, format_path(parts), message)
                else:
                    key = error["type"] == "extra_forbidden"
                    problem = source.problem(parts, message, key=key)
                source.problems.append(problem)
        return None
