"""Declarative parameter schemas: each endpoint declares its parameters once.

A :class:`Schema` maps names to fields (:class:`Str`, :class:`Int`,
:class:`Bool`, :class:`Enum`, :class:`Decimal`, :class:`Hash`,
:class:`Metadata`, :class:`Array`, :class:`Map`, :class:`Range`). ``Schema.parse`` refuses
unknown parameters (``parameter_unknown``, nested names in brackets such as
``address[foo]``), missing required ones (``parameter_missing``) and bad values
(naming the parameter), and returns typed values. ``expand`` is always allowed.

An empty string means "unset": a field built with ``nullable=True`` turns it
into ``None`` (the key stays present so the backend can tell "unset" from
"not given"); other fields refuse it with ``parameter_invalid_empty``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal as _Decimal
from decimal import InvalidOperation
from typing import Any

from stripe_emulator.lib.errors import ParameterError, UnsupportedParameterError


def _empty_refusal(name: str) -> ParameterError:
    return ParameterError(
        f"You passed an empty string for '{name}'. We assume empty values are an attempt to "
        f"unset a parameter; however '{name}' cannot be unset. You should remove '{name}' from "
        "your request or supply a non-empty value.",
        code="parameter_invalid_empty",
        param=name,
    )


@dataclass(kw_only=True)
class Field:
    """One parameter: ``required`` and whether ``''`` unsets it (``nullable``)."""

    required: bool = False
    nullable: bool = False

    def clean(self, value: Any, name: str) -> Any:
        if isinstance(value, str) and value == "" and not isinstance(self, Metadata):
            if self.nullable:
                return None
            raise _empty_refusal(name)
        return self.convert(value, name)

    def convert(self, value: Any, name: str) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError


def _expect_scalar(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise ParameterError(
            f"Invalid value for {name}: expected a string, got a hash or array.",
            code="parameter_invalid_string",
            param=name,
        )
    return value


@dataclass(kw_only=True)
class Str(Field):
    """A string, optionally bounded in length or matched against a pattern."""

    max_length: int | None = None
    pattern: str | None = None
    pattern_hint: str = ""

    def convert(self, value: Any, name: str) -> str:
        text = _expect_scalar(value, name)
        if self.max_length is not None and len(text) > self.max_length:
            raise ParameterError(
                f"Invalid {name}: must be at most {self.max_length} characters",
                code="parameter_invalid_string",
                param=name,
            )
        if self.pattern is not None and not re.fullmatch(self.pattern, text):
            raise ParameterError(
                f"Invalid {name}: {self.pattern_hint or 'bad format'}", param=name
            )
        return text


@dataclass(kw_only=True)
class Int(Field):
    """An integer in ``[minimum, maximum]``."""

    minimum: int | None = None
    maximum: int | None = None

    def convert(self, value: Any, name: str) -> int:
        text = _expect_scalar(value, name)
        if not re.fullmatch(r"-?\d+", text.strip()):
            raise ParameterError(
                f"Invalid integer: {text}", code="parameter_invalid_integer", param=name
            )
        number = int(text)
        if self.minimum is not None and number < self.minimum:
            raise ParameterError(
                f"This value must be greater than or equal to {self.minimum}.",
                code="parameter_invalid_integer",
                param=name,
            )
        if self.maximum is not None and number > self.maximum:
            raise ParameterError(
                f"This value must be less than or equal to {self.maximum}.",
                code="parameter_invalid_integer",
                param=name,
            )
        return number


@dataclass(kw_only=True)
class Bool(Field):
    """``true`` or ``false``."""

    def convert(self, value: Any, name: str) -> bool:
        text = _expect_scalar(value, name)
        if text not in ("true", "false"):
            raise ParameterError(
                f"Invalid boolean: {text}", code="parameter_invalid_boolean", param=name
            )
        return text == "true"


@dataclass(kw_only=True)
class Enum(Field):
    """One of a fixed set of strings."""

    choices: tuple[str, ...] = ()

    def convert(self, value: Any, name: str) -> str:
        text = _expect_scalar(value, name)
        if text not in self.choices:
            raise ParameterError(f"Invalid {name}: must be one of {_one_of(self.choices)}",
                                 param=name)
        return text


def _one_of(choices: tuple[str, ...]) -> str:
    if len(choices) <= 1:
        return "".join(choices)
    if len(choices) == 2:
        return f"{choices[0]} or {choices[1]}"
    return ", ".join(choices[:-1]) + f", or {choices[-1]}"


@dataclass(kw_only=True)
class Decimal(Field):
    """A decimal string with at most ``places`` decimal places (kept as a string)."""

    places: int = 12
    minimum: int | None = None

    def convert(self, value: Any, name: str) -> str:
        text = _expect_scalar(value, name).strip()
        try:
            number = _Decimal(text)
        except InvalidOperation:
            raise ParameterError(
                f"Invalid decimal: {text}", code="parameter_invalid_decimal", param=name
            ) from None
        if not number.is_finite() or -number.as_tuple().exponent > self.places:  # type: ignore[operator]
            raise ParameterError(
                f"Invalid decimal: {text}", code="parameter_invalid_decimal", param=name
            )
        if self.minimum is not None and number < self.minimum:
            raise ParameterError(
                f"Invalid {name}: must be greater than or equal to {self.minimum}", param=name
            )
        return _normalise_decimal(number)


def _normalise_decimal(number: _Decimal) -> str:
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


@dataclass(kw_only=True)
class Hash(Field):
    """A nested hash with its own declared fields."""

    fields: dict[str, Field] = field(default_factory=dict)

    def convert(self, value: Any, name: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ParameterError(f"Invalid hash: {name}", code="parameter_invalid_hash",
                                 param=name)
        return _parse_fields(self.fields, value, prefix=name)


@dataclass(kw_only=True)
class Metadata(Field):
    """Free-form ``key → value``; ``''`` clears all, ``metadata[k]=''`` removes ``k``."""

    def clean(self, value: Any, name: str) -> dict[str, str | None]:
        if value == "":
            return {}
        if not isinstance(value, dict):
            raise ParameterError(f"Invalid hash: {name}", code="parameter_invalid_hash",
                                 param=name)
        if len(value) > 50:
            raise ParameterError(
                "Invalid metadata: metadata may have at most 50 keys", param=name
            )
        cleaned: dict[str, str | None] = {}
        for key, item in value.items():
            if not isinstance(item, str):
                raise ParameterError(f"Invalid value for {name}[{key}]", param=f"{name}[{key}]")
            if len(key) > 40:
                raise ParameterError(
                    f"Metadata keys can have at most 40 characters: {key}", param=f"{name}[{key}]"
                )
            if len(item) > 500:
                raise ParameterError(
                    f"Metadata values can have at most 500 characters: {key}",
                    param=f"{name}[{key}]",
                )
            cleaned[key] = item if item != "" else None
        return cleaned


@dataclass(kw_only=True)
class Array(Field):
    """A list of ``item`` values (``a[]=`` or ``a[0]=``)."""

    item: Field = field(default_factory=Str)
    max_items: int | None = None

    def convert(self, value: Any, name: str) -> list[Any]:
        if not isinstance(value, list):
            raise ParameterError(f"Invalid array: {name}", code="parameter_invalid_array",
                                 param=name)
        if self.max_items is not None and len(value) > self.max_items:
            raise ParameterError(
                f"Invalid array: {name} can have at most {self.max_items} items", param=name
            )
        return [self.item.clean(v, f"{name}[{i}]") for i, v in enumerate(value)]


@dataclass(kw_only=True)
class Map(Field):
    """A hash keyed by the caller (``currency_options[eur][…]``), each value a ``value``."""

    value: Field = field(default_factory=Str)
    key_pattern: str = r"\w+"
    key_hint: str = "bad key"

    def convert(self, value: Any, name: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ParameterError(f"Invalid hash: {name}", code="parameter_invalid_hash",
                                 param=name)
        for key in value:
            if not re.fullmatch(self.key_pattern, key):
                raise ParameterError(f"Invalid {name}[{key}]: {self.key_hint}",
                                     param=f"{name}[{key}]")
        return {k: self.value.clean(v, f"{name}[{k}]") for k, v in value.items()}


@dataclass(kw_only=True)
class Raw(Field):
    """Any value, kept as decoded (deep option trees the emulator only stores and shows)."""

    def clean(self, value: Any, name: str) -> Any:
        return value


@dataclass(kw_only=True)
class Unsupported(Field):
    """A parameter Stripe accepts that the emulator cannot emulate: any value is refused
    with a message naming it and saying why (never ``parameter_unknown``, never ignored)."""

    reason: str = ""

    def clean(self, value: Any, name: str) -> Any:
        raise UnsupportedParameterError(name, self.reason)


_RANGE_KEYS = ("gt", "gte", "lt", "lte")


@dataclass(kw_only=True)
class Range(Field):
    """A timestamp filter: an integer (equality) or ``[gt|gte|lt|lte]`` bounds."""

    def convert(self, value: Any, name: str) -> dict[str, int]:
        if isinstance(value, str):
            return {"eq": Int().convert(value, name)}
        if not isinstance(value, dict):
            raise ParameterError(f"Invalid hash: {name}", code="parameter_invalid_hash",
                                 param=name)
        bounds = _parse_fields({k: Int() for k in _RANGE_KEYS}, value, prefix=name)
        return {k: v for k, v in bounds.items() if v is not None}


def _parse_fields(fields: dict[str, Field], raw: dict[str, Any], prefix: str | None) -> dict:
    cleaned: dict[str, Any] = {}
    for key, value in raw.items():
        name = f"{prefix}[{key}]" if prefix else key
        spec = fields.get(key)
        if spec is None:
            raise ParameterError(
                f"Received unknown parameter: {name}", code="parameter_unknown", param=name
            )
        cleaned[key] = spec.clean(value, name)
    for key, spec in fields.items():
        if spec.required and key not in raw:
            name = f"{prefix}[{key}]" if prefix else key
            raise ParameterError(
                f"Missing required param: {name}.", code="parameter_missing", param=name
            )
    return cleaned


class Schema:
    """The parameters one endpoint accepts (``expand`` is always accepted)."""

    def __init__(self, **fields: Field) -> None:
        self.fields: dict[str, Field] = {"expand": Array(item=Str(), max_items=20), **fields}

    def extend(self, **fields: Field) -> Schema:
        """A new schema with more fields (e.g. a create schema grown into an update one)."""
        merged = {k: v for k, v in self.fields.items() if k != "expand"}
        merged.update(fields)
        return Schema(**merged)

    def without(self, *names: str) -> Schema:
        """A new schema without ``names``."""
        return Schema(**{k: v for k, v in self.fields.items() if k not in names and k != "expand"})

    def parse(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Validate ``raw`` (decoded form) and return the typed values."""
        return _parse_fields(self.fields, raw, prefix=None)


def nested(prefix: str, name: str) -> str:
    """``name`` inside the parameter ``prefix``: ``nested("lines[0]", "pricing[price]")`` is
    ``lines[0][pricing][price]`` (just ``name`` without a prefix)."""
    if not prefix:
        return name
    head, bracket, tail = name.partition("[")
    return f"{prefix}[{head}]{bracket}{tail}"


def exclusive(fields: dict[str, Any], *names: str) -> None:
    """Refuse more than one of ``names`` given (``parameters_exclusive``, naming the last)."""
    given = [n for n in names if fields.get(n) is not None]
    if len(given) > 1:
        raise ParameterError(
            f"You may only specify one of these parameters: {', '.join(given)}.",
            code="parameters_exclusive", param=given[-1],
        )


#: Parameters every list endpoint takes.
LIST_FIELDS: dict[str, Field] = {
    "limit": Int(minimum=1, maximum=100),
    "starting_after": Str(),
    "ending_before": Str(),
}

#: Parameters every search endpoint takes.
SEARCH_FIELDS: dict[str, Field] = {
    "query": Str(required=True),
    "limit": Int(minimum=1, maximum=100),
    "page": Str(),
}

ADDRESS = Hash(
    nullable=True,
    fields={k: Str(nullable=True, max_length=5000)
            for k in ("city", "country", "line1", "line2", "postal_code", "state")},
)

#: ``discounts`` of invoices, items and lines: ``''`` removes them all.
DISCOUNTS = Array(nullable=True, max_items=20, item=Hash(fields={
    "coupon": Str(), "discount": Str(), "promotion_code": Str()}))

#: Why account-billing parameters (``customer_account``) are refused.
NO_ACCOUNTS = ("the emulator bills customers (`customer`), not Accounts v2 "
               "(`customer_account`).")
#: Why subscription parameters are refused.
NO_SUBSCRIPTIONS = "the emulator has no subscriptions."
#: Why Connect parameters are refused.
NO_CONNECT = "the emulator has no Connect (connected accounts, application fees, transfers)."
