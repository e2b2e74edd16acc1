"""Stripe's search query language over HTTP (customers as the subject)."""

from __future__ import annotations

import pytest
import stripe

from stripe_emulator.lib.search import parse_query
from tests.emulator.helpers import tag


@pytest.fixture(scope="module")
def people(emulator):
    """Three customers sharing a marker in metadata."""
    client = stripe.StripeClient("sk_test_search", base_addresses={"api": emulator.base_url},
                                 max_network_retries=0)
    marker = tag()
    made = {}
    for name, email, extra in (
        ("Ada Lovelace", f"ada.{marker}@math.test", {"tier": "gold"}),
        ("Alan Turing", f"alan.{marker}@math.test", {"tier": "silver"}),
        ("Grace Hopper", f"grace.{marker}@navy.test", {}),
    ):
        made[name.split()[0].lower()] = client.v1.customers.create(
            {"name": name, "email": email, "phone": "+1 555" if name.startswith("A") else None,
             "metadata": {"marker": marker, **extra}})
    return marker, made


def _ids(client, query, **params):
    return {c.id for c in client.v1.customers.search({"query": query, **params}).data}


def test_exact_substring_negation_and_or(stripe_client, people):
    marker, made = people
    scope = f"metadata['marker']:'{marker}'"
    assert _ids(stripe_client, f"{scope} AND name:'ada lovelace'") == {made["ada"].id}
    assert _ids(stripe_client, f"{scope} AND email~'math.test'") == {made["ada"].id,
                                                                     made["alan"].id}
    assert _ids(stripe_client, f"{scope} -name:'Grace Hopper'") == {made["ada"].id,
                                                                     made["alan"].id}
    assert _ids(stripe_client, f"metadata['tier']:'gold' OR email:\"grace.{marker}@navy.test\"") \
        >= {made["ada"].id, made["grace"].id}
    assert _ids(stripe_client, f"{scope} and metadata['tier']:null") == {made["grace"].id}
    assert _ids(stripe_client, f"{scope} AND -metadata['tier']:null") == {made["ada"].id,
                                                                           made["alan"].id}
    assert _ids(stripe_client, f"{scope} AND phone:null") == {made["grace"].id}


def test_numeric_comparisons_on_dates(stripe_client, people):
    marker, made = people
    created = made["ada"].created
    scope = f"metadata['marker']:'{marker}'"
    everyone = {c.id for c in made.values()}
    assert _ids(stripe_client, f"{scope} AND created>={created}") == everyone
    assert _ids(stripe_client, f"{scope} AND created<{created}") == set()
    assert _ids(stripe_client, f"{scope} AND created:{made['grace'].created}") >= \
        {made["grace"].id}
    assert _ids(stripe_client, f"{scope} AND created>'{created - 1}'") == everyone


def test_search_pages_with_next_page_and_total_count(stripe_client, people):
    marker, made = people
    query = f"metadata['marker']:'{marker}'"
    first = stripe_client.v1.customers.search({"query": query, "limit": 2,
                                               "expand": ["total_count"]})
    assert first.object == "search_result" and first.url == "/v1/customers/search"
    assert first.has_more is True and first.next_page
    assert first.total_count == 3
    second = stripe_client.v1.customers.search({"query": query, "limit": 2,
                                                "page": first.next_page})
    assert second.has_more is False and second.next_page is None
    assert {c.id for c in [*first.data, *second.data]} == {c.id for c in made.values()}
    every = stripe_client.v1.customers.search({"query": query, "limit": 1})
    assert len(list(every.auto_paging_iter())) == 3


@pytest.mark.parametrize(
    "query",
    [
        "",
        "email:",
        "name:ada",
        "name:'ada' AND email:'x' OR phone:'y'",
        "colour:'blue'",
        "name~'ad'",
        "created~'123'",
        "name>'a'",
        "metadata:'x'",
        "name['k']:'x'",
        "metadata[k]:'x'",
        "name:'unterminated",
        "name:'a'email:'b'",
        " ".join(f"name:'n{i}'" for i in range(11)),
    ],
)
def test_malformed_queries_are_400_naming_query(stripe_client, query):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.customers.search({"query": query})
    assert (caught.value.http_status, caught.value.param) == (400, "query")


def test_query_is_required(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.customers.search({})
    assert (caught.value.code, caught.value.param) == ("parameter_missing", "query")


def test_parser_reads_quotes_escapes_and_connectives():
    query = parse_query("name:\"O\\\"Brien\" or metadata[\"k 1\"]:'v' OR -total>=-5")
    assert query.connective == "OR"
    assert [(c.field, c.key, c.operator, c.value, c.negated) for c in query.clauses] == [
        ("name", None, ":", 'O"Brien', False),
        ("metadata", "k 1", ":", "v", False),
        ("total", None, ">=", -5, True),
    ]
