"""What stripe-python 16.1 says Stripe accepts: the typed parameters of each API route.

The SDK is generated from Stripe's OpenAPI spec for the emulator's API version, so its
service modules (``stripe/_*_service.py``) name, for every ``(HTTP method, path)``, the
``TypedDict`` of the parameters that route takes (``InvoiceCreateParams``...). This module
reads them (with ``ast``: the imports sit behind ``TYPE_CHECKING``), lists a route's
top-level parameters and builds a plausible sample value for each from its annotation,
so a test can send every parameter Stripe accepts to the emulator.
"""

from __future__ import annotations

import ast
import decimal
import functools
import importlib
import re
import sys
import typing
from pathlib import Path
from typing import Any

import stripe
import typing_extensions
from stripe._request_options import RequestOptions

#: Keys of ``RequestOptions`` (api_key, idempotency_key...) are client options, not parameters.
CLIENT_OPTIONS = frozenset(RequestOptions.__annotations__)
_PLACEHOLDER = re.compile(r"\{\w+\}")


def route_key(method: str, pattern: str) -> tuple[str, str]:
    """``("POST", "/v1/invoices/{}/pay")``: placeholders made anonymous for matching."""
    return method.upper(), _PLACEHOLDER.sub("{}", pattern)


@functools.cache
def sdk_routes() -> dict[tuple[str, str], type]:
    """Every route the SDK's v1 services call, with its parameters' ``TypedDict``."""
    found: dict[tuple[str, str], type] = {}
    for source in sorted(Path(stripe.__file__).parent.rglob("_*_service.py")):
        tree = ast.parse(source.read_text())
        imports = {alias.name: node.module for node in ast.walk(tree)
                   if isinstance(node, ast.ImportFrom) and node.module
                   for alias in node.names}
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef) or function.name.endswith("_async"):
                continue
            params_type = _params_annotation(function)
            for call in ast.walk(function):
                route = _request_route(call)
                if route is None or params_type is None or params_type not in imports:
                    continue
                module = importlib.import_module(imports[params_type])
                found[route_key(*route)] = getattr(module, params_type)
    return found


def _params_annotation(function: ast.FunctionDef) -> str | None:
    for arg in function.args.posonlyargs + function.args.args + function.args.kwonlyargs:
        if arg.arg == "params" and arg.annotation is not None:
            named = re.search(r"[\"'](\w+Params)[\"']", ast.unparse(arg.annotation))
            return named.group(1) if named else None
    return None


def _request_route(node: ast.AST) -> tuple[str, str] | None:
    """``(method, path)`` of a ``self._request("post", "/v1/…".format(…), …)`` call."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "_request" and len(node.args) >= 2):
        return None
    method, path = node.args[0], node.args[1]
    if isinstance(path, ast.Call) and isinstance(path.func, ast.Attribute):
        path = path.func.value
    if (isinstance(method, ast.Constant) and isinstance(path, ast.Constant)
            and str(path.value).startswith("/v1/")):
        return str(method.value), str(path.value)
    return None


def top_level_params(params_type: type) -> dict[str, Any]:
    """Name → annotation of each parameter (client options left out)."""
    return {name: annotation for name, annotation in params_type.__annotations__.items()
            if name not in CLIENT_OPTIONS}


def _resolve(annotation: Any, namespace: dict[str, Any]) -> Any:
    """The typing object behind a string or forward reference (the SDK quotes most)."""
    if isinstance(annotation, str):
        return _resolve(eval(annotation, dict(namespace)), namespace)  # noqa: S307 (SDK source)
    if isinstance(annotation, typing.ForwardRef):
        return _resolve(annotation.__forward_arg__, namespace)
    return annotation


def sample(annotation: Any, name: str, known: dict[str, Any], owner: type) -> Any:
    """A plausible value of ``annotation`` (declared in ``owner``) for parameter ``name``.

    ``known`` maps parameter names to real values (ids of objects in the emulator,
    ``usd`` for currencies...); other strings are ``"sample"``.
    """
    annotation = _resolve(annotation, vars(sys.modules[owner.__module__]))
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if getattr(origin, "_name", None) in ("NotRequired", "Required") or str(origin).endswith(
            ("NotRequired", "Required")):
        return sample(args[0], name, known, owner)
    if origin is typing.Union or type(annotation).__name__ == "UnionType":
        choices = [a for a in args if typing.get_args(a) != ("",)
                   and "UntypedStripeObject" not in str(a) and a is not type(None)]
        return sample((choices or list(args))[0], name, known, owner)
    if origin is typing.Literal:
        return args[0]
    if origin is list:
        return [sample(args[0], name, known, owner)]
    if origin is dict:
        key = "eur" if name.endswith("currency_options") else "key"
        return {key: sample(args[1], name, known, owner)}
    if typing_extensions.is_typeddict(annotation):
        return _sample_hash(annotation, known)
    if name in known:
        return known[name]
    return _scalar(annotation)


def _scalar(annotation: Any) -> Any:
    if annotation is bool:
        return True
    if annotation is int:
        return 1
    if annotation is float:
        return 10.0
    if annotation is decimal.Decimal:
        return decimal.Decimal("1")
    return "sample"


def _sample_hash(hash_type: type, known: dict[str, Any]) -> dict[str, Any]:
    """Its required keys (or else its first key), each with a sample value."""
    fields = hash_type.__annotations__
    required = [k for k in fields if k in getattr(hash_type, "__required_keys__", ())]
    chosen = required or list(fields)[:1]
    return {k: sample(fields[k], k, known, hash_type) for k in chosen}
