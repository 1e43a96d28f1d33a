"""JSON Schema (Draft 2020-12) validation of requests and feedback, with JSON-path problems.

One validator, ``jsonschema``: each problem is named with its JSON path and our message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from itertools import islice
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource

from ..services import Service

Problem = tuple[str, str]

_MAX_INSTANCE_TEXT = 80
_REFERENCE = re.compile(r"^[A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64}$")


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema ``schemas/<name>.schema.json`` from the package data."""
    text = (
        resources.files(__package__)
        .joinpath("schemas", f"{name}.schema.json")
        .read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _registry() -> Registry[Any]:
    """Every schema of ``schemas/`` by its ``$id`` (the targets of ``$ref``)."""
    files = resources.files(__package__).joinpath("schemas").iterdir()
    names = [f.name.removesuffix(".schema.json") for f in files]
    schemas = [load_schema(name) for name in names]
    return Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas)


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(name), registry=_registry())


#: problems collected per body at most (an OperationOutcome shows ``api.MAX_ISSUES`` of them):
#: a body of 100,000 bad entries costs the first ones, not a list of all
MAX_PROBLEMS = 200


def _schema_problems(name: str, instance: Any, prefix: str) -> list[Problem]:
    """Problems of ``instance`` against schema ``name``, each named by its path."""
    return _problems(islice(validator(name).iter_errors(instance), MAX_PROBLEMS), prefix)


def _path(prefix: str, parts: Iterable[Any]) -> str:
    out = prefix
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= _MAX_INSTANCE_TEXT else text[: _MAX_INSTANCE_TEXT - 3] + "..."


def _problems(errors: Iterable[ValidationError], prefix: str) -> list[Problem]:
    out: list[Problem] = []
    for err in errors:
        where = _path(prefix, err.absolute_path)
        if err.validator == "required":
            missing = [
                p
                for p in err.validator_value
                if isinstance(err.instance, dict) and p not in err.instance
            ]
            for name in missing:
                item = (f"{where}.{name}", f"'{name}' is required")
                if item not in out:
                    out.append(item)
            continue
        if err.validator == "dependentRequired":
            for trigger, needed in err.validator_value.items():
                if isinstance(err.instance, dict) and trigger in err.instance:
                    for name in needed:
                        if name not in err.instance:
                            out.append(
                                (f"{where}.{name}", f"'{name}' is required with '{trigger}'")
                            )
            continue
        out.append((where, _message(err)))
    return sorted(out, key=lambda p: p[0])


def _message(err: ValidationError) -> str:
    schema = err.schema if isinstance(err.schema, dict) else {}
    v = err.validator
    if v == "type":
        return f"must be of type {err.validator_value}"
    if v == "pattern" and "description" in schema:  # the value may be a secret: not echoed
        return f"is not {schema['description']}"
    if v == "pattern":
        return f"{_short(err.instance)} does not match {err.validator_value}"
    if v in ("enum", "const"):
        allowed = err.validator_value if v == "enum" else [err.validator_value]
        return f"{_short(err.instance)} is not one of {allowed}"
    if v in ("minLength", "minItems", "minProperties"):
        return "must not be empty"
    if v in ("maxLength", "maxItems"):
        return f"is longer than {err.validator_value}"
    if v in ("oneOf", "anyOf", "not") and "description" in schema:
        return f"must be: {schema['description']}"
    message: str = err.message
    return message if len(message) <= 200 else message[:197] + "..."


def validate_request(service: Service, body: Any) -> list[Problem]:
    """Problems of a service-call body for ``service`` (empty list = acceptable). Prefetch
    keys other than the service's own are one problem, however many there are."""
    problems: list[Problem] = []
    if isinstance(body, dict) and isinstance(prefetch := body.get("prefetch"), dict):
        own = {k.key for k in service.prefetch}
        unknown = [k for k in prefetch if k not in own]
        if unknown:
            shown = ", ".join(_short(k) for k in unknown[:3])
            problems.append(
                (
                    "$.prefetch",
                    f"{len(unknown)} prefetch key(s) this service does not use ({shown}"
                    f"{', ...' if len(unknown) > 3 else ''}); its keys: {', '.join(sorted(own))}",
                )
            )
            body = {**body, "prefetch": {k: v for k, v in prefetch.items() if k in own}}
    problems.extend(_schema_problems("request", body, "$"))
    if not isinstance(body, dict):
        return problems
    hook = body.get("hook")
    if isinstance(hook, str) and hook != service.hook:
        problems.append(("$.hook", f"'{hook}' is not this service's hook ('{service.hook}')"))
    context = body.get("context")
    if isinstance(context, dict):
        problems.extend(_schema_problems(f"context-{service.hook}", context, "$.context"))
        problems.extend(_selection_problems(context))
    return problems


def _selection_problems(context: dict[str, Any]) -> list[Problem]:
    selections = context.get("selections")
    draft = context.get("draftOrders")
    if not isinstance(selections, list) or not isinstance(draft, dict):
        return []
    entries = draft.get("entry")
    drafted = {
        f"{res.get('resourceType')}/{res.get('id')}"
        for entry in (entries if isinstance(entries, list) else [])
        if isinstance(entry, dict) and isinstance(res := entry.get("resource"), dict)
    }
    return [
        (f"$.context.selections[{i}]", f"{_short(ref)} is not an entry of draftOrders")
        for i, ref in enumerate(selections)
        if isinstance(ref, str) and _REFERENCE.match(ref) and ref not in drafted
    ]


def validate_feedback(body: Any) -> list[Problem]:
    """Problems of a feedback body (empty list = acceptable)."""
    return _problems(validator("feedback").iter_errors(body), "$")
