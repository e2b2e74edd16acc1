"""Pure units of ``stripe_emulator.lib``: form decoding, parameter schemas, routing."""

from __future__ import annotations

import pytest

from stripe_emulator.lib.errors import ParameterError
from stripe_emulator.lib.forms import decode_form
from stripe_emulator.lib.params import Array, Bool, Decimal, Hash, Int, Metadata, Schema, Str
from stripe_emulator.lib.routing import Router, get


def test_bracketed_forms_decode_to_nested_values():
    decoded = decode_form(
        "a[b]=1&a[c][d]=2&items[0][price]=p1&items[0][quantity]=2&items[1][price]=p2"
        "&expand[]=x&expand[]=y&keys[0]=k0&keys[1]=k1&lines[][id]=l1&lines[][behavior]=delete"
        "&lines[][id]=l2&empty=&name=A%20B+C")
    assert decoded == {
        "a": {"b": "1", "c": {"d": "2"}},
        "items": [{"price": "p1", "quantity": "2"}, {"price": "p2"}],
        "expand": ["x", "y"],
        "keys": ["k0", "k1"],
        "lines": [{"id": "l1", "behavior": "delete"}, {"id": "l2"}],
        "empty": "",
        "name": "A B C",
    }


def test_numbered_arrays_keep_their_order():
    assert decode_form("k[10]=c&k[2]=b&k[0]=a") == {"k": ["a", "b", "c"]}


SCHEMA = Schema(
    amount=Int(minimum=0), flag=Bool(), note=Str(nullable=True), qty=Decimal(places=2),
    meta=Metadata(), tags=Array(item=Str()), hash=Hash(fields={"x": Int(required=True)}),
)


def test_schema_types_values_and_unset():
    parsed = SCHEMA.parse({"amount": "5", "flag": "false", "note": "", "qty": "1.50",
                           "meta": {"k": "v", "gone": ""}, "tags": ["a"], "hash": {"x": "3"},
                           "expand": ["y"]})
    assert parsed == {"amount": 5, "flag": False, "note": None, "qty": "1.5",
                      "meta": {"k": "v", "gone": None}, "tags": ["a"], "hash": {"x": 3},
                      "expand": ["y"]}


@pytest.mark.parametrize(
    ("raw", "code", "param"),
    [
        ({"amount": "1.5"}, "parameter_invalid_integer", "amount"),
        ({"amount": "-1"}, "parameter_invalid_integer", "amount"),
        ({"flag": "yes"}, "parameter_invalid_boolean", "flag"),
        ({"amount": ""}, "parameter_invalid_empty", "amount"),
        ({"qty": "1.234"}, "parameter_invalid_decimal", "qty"),
        ({"hash": {}}, "parameter_missing", "hash[x]"),
        ({"hash": {"x": "1", "y": "2"}}, "parameter_unknown", "hash[y]"),
        ({"hash": "text"}, "parameter_invalid_hash", "hash"),
        ({"tags": "text"}, "parameter_invalid_array", "tags"),
        ({"tags": [{"a": "b"}]}, "parameter_invalid_string", "tags[0]"),
    ],
)
def test_schema_refusals_name_the_parameter(raw, code, param):
    with pytest.raises(ParameterError) as caught:
        SCHEMA.parse(raw)
    assert (caught.value.code, caught.value.param) == (code, param)


def test_router_refuses_a_shadowed_action_route():
    def handler(call):
        return {}

    with pytest.raises(ValueError, match="shadowed"):
        Router([get("/v1/things/{id}", handler), get("/v1/things/search", handler)])
    router = Router([get("/v1/things/search", handler), get("/v1/things/{id}", handler)])
    assert router.match("GET", "/v1/things/th_1")[1] == {"id": "th_1"}
