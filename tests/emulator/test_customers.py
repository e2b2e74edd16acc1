"""Customers over HTTP with the real SDK: shape, prefixes, updates, deletion, lists, search."""

from __future__ import annotations

import re

import pytest
import stripe

from tests.emulator.helpers import events_about, tag

CUSTOMER_FIELDS = {
    "id", "object", "address", "balance", "business_name", "created", "currency",
    "customer_account", "default_source", "delinquent", "description", "discount", "email",
    "individual_name", "invoice_prefix", "invoice_settings", "livemode", "metadata", "name",
    "next_invoice_sequence", "phone", "preferred_locales", "shipping", "tax_exempt",
    "test_clock",
}


def test_created_customer_has_every_endive_field(stripe_client):
    customer = stripe_client.v1.customers.create({
        "name": "Acme Ltd", "email": "billing@acme.test",
        "address": {"city": "Paris", "country": "FR"},
        "invoice_settings": {"footer": "Thanks"}, "metadata": {"erp": "A-1"},
    }).to_dict()
    assert set(customer) == CUSTOMER_FIELDS
    assert customer["id"].startswith("cus_")
    assert customer["object"] == "customer"
    assert customer["address"] == {"city": "Paris", "country": "FR", "line1": None,
                                   "line2": None, "postal_code": None, "state": None}
    assert customer["invoice_settings"]["footer"] == "Thanks"
    assert customer["next_invoice_sequence"] == 1
    assert customer["balance"] == 0 and customer["tax_exempt"] == "none"
    assert customer["livemode"] is False and customer["test_clock"] is None


def test_invoice_prefixes_are_generated_unique(stripe_client):
    prefixes = {stripe_client.v1.customers.create().invoice_prefix for _ in range(20)}
    assert len(prefixes) == 20
    assert all(re.fullmatch(r"[0-9A-F]{8}", p) for p in prefixes)


def test_chosen_prefix_is_kept_and_cannot_be_reused(stripe_client):
    prefix = "T" + tag()[:8].upper()
    first = stripe_client.v1.customers.create({"invoice_prefix": prefix,
                                               "next_invoice_sequence": 42})
    assert (first.invoice_prefix, first.next_invoice_sequence) == (prefix, 42)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.customers.create({"invoice_prefix": prefix})
    assert (caught.value.http_status, caught.value.param) == (400, "invoice_prefix")
    stripe_client.v1.customers.delete(first.id)
    with pytest.raises(stripe.InvalidRequestError):  # still reserved after deletion
        stripe_client.v1.customers.create({"invoice_prefix": prefix})


def test_malformed_prefix_is_refused(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.customers.create({"invoice_prefix": "abc-1"})
    assert (caught.value.http_status, caught.value.param) == (400, "invoice_prefix")


def test_update_merges_metadata_unsets_fields_and_emits_previous_attributes(stripe_client):
    customer = stripe_client.v1.customers.create({"name": "Old name", "phone": "+331",
                                                  "metadata": {"a": "1", "b": "2"}})
    updated = stripe_client.v1.customers.update(
        customer.id, {"name": "New name", "phone": "", "metadata": {"a": "", "c": "3"}})
    assert updated.name == "New name"
    assert updated.phone is None
    assert updated.metadata.to_dict() == {"b": "2", "c": "3"}
    event = events_about(stripe_client, customer.id, "customer.updated")[0]
    assert event.data.previous_attributes.to_dict() == {
        "name": "Old name", "phone": "+331", "metadata": {"a": "1", "c": None}}
    assert event.data.object.name == "New name"


def test_deleted_customer_is_retrievable_as_a_stub(stripe_client):
    customer = stripe_client.v1.customers.create({"email": f"{tag()}@gone.test"})
    stub = stripe_client.v1.customers.delete(customer.id).to_dict()
    assert stub == {"id": customer.id, "object": "customer", "deleted": True}
    again = stripe_client.v1.customers.retrieve(customer.id).to_dict()
    assert again == stub
    assert [e.type for e in events_about(stripe_client, customer.id, "customer.deleted")] == \
        ["customer.deleted"]
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.customers.update(customer.id, {"name": "x"})
    assert (caught.value.http_status, caught.value.code) == (404, "resource_missing")
    listed = stripe_client.v1.customers.list({"email": customer.email}).data
    assert listed == []


def test_unknown_customer_is_a_404_naming_id(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.customers.retrieve("cus_doesnotexist")
    error = caught.value
    assert (error.http_status, error.code, error.param) == (404, "resource_missing", "id")
    assert "No such customer: 'cus_doesnotexist'" in str(error)


def test_list_by_email_is_exact_and_case_sensitive(stripe_client):
    email = f"{tag()}@exact.test"
    made = stripe_client.v1.customers.create({"email": email})
    stripe_client.v1.customers.create({"email": email.upper()})
    found = stripe_client.v1.customers.list({"email": email}).data
    assert [c.id for c in found] == [made.id]


def test_list_by_created_range(stripe_client):
    made = stripe_client.v1.customers.create({"email": f"{tag()}@range.test"})
    inside = stripe_client.v1.customers.list(
        {"email": made.email, "created": {"gte": made.created, "lte": made.created}}).data
    outside = stripe_client.v1.customers.list(
        {"email": made.email, "created": {"gt": made.created}}).data
    exact = stripe_client.v1.customers.list({"email": made.email, "created": made.created}).data
    assert [c.id for c in inside] == [made.id] == [c.id for c in exact]
    assert outside == []


def test_bad_tax_exempt_names_the_parameter(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.customers.create({"tax_exempt": "sometimes"})
    assert caught.value.param == "tax_exempt"
    assert "must be one of none, exempt, or reverse" in str(caught.value)


def test_too_many_custom_fields_are_refused(stripe_client):
    fields = [{"name": f"n{i}", "value": "v"} for i in range(5)]
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.customers.create({"invoice_settings": {"custom_fields": fields}})
    assert caught.value.param == "invoice_settings[custom_fields]"


def test_required_nested_parameter_is_reported_with_brackets(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.customers.create({"shipping": {"address": {"city": "Lyon"}}})
    assert (caught.value.code, caught.value.param) == ("parameter_missing", "shipping[name]")


def test_search_by_email_name_and_metadata(stripe_client):
    marker = tag()
    jane = stripe_client.v1.customers.create({"email": f"jane.{marker}@search.test",
                                              "name": "Jane Marie Doe",
                                              "metadata": {"segment": marker}})
    stripe_client.v1.customers.create({"email": f"john.{marker}@search.test",
                                       "name": "John Doe", "metadata": {"segment": marker}})
    by_email = stripe_client.v1.customers.search(
        {"query": f"email:'JANE.{marker}@search.test'"})
    assert [c.id for c in by_email.data] == [jane.id]
    by_words = stripe_client.v1.customers.search(
        {"query": f"name:\"marie doe\" AND metadata['segment']:'{marker}'"})
    assert [c.id for c in by_words.data] == [jane.id]
    both = stripe_client.v1.customers.search({"query": f"metadata[\"segment\"]:\"{marker}\""})
    assert len(both.data) == 2 and both.object == "search_result"
