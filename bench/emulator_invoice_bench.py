"""Invoice figures for ``python -m bench.emulator_bench`` (imported by its extension hook).

Fills the store directly with ``size`` invoices (one line each, spread over
1,000 customers and all five statuses, numbered like Stripe) and times:
an invoice with 3 items created and finalized (target < 10 ms server time),
list by status, by customer, by customer and status, and search by number
(target < 20 ms at 100,000 invoices).
"""

from __future__ import annotations

import importlib
import sys
import time
from types import ModuleType
from typing import TYPE_CHECKING, Any

import httpx

from stripe_emulator.backend import invoice_items, invoice_lifecycle, invoicing
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.storage import Where
from stripe_emulator.models.customer import CUSTOMERS
from stripe_emulator.models.invoice import INVOICES, new_invoice, recompute_totals
from stripe_emulator.models.invoice_line import line_for_item


def _bench_registry() -> ModuleType:
    """The running ``bench.emulator_bench``: under ``python -m`` it is ``__main__``, and a
    fresh import would register into a second copy of its scenario list."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if main is not None and spec is not None and spec.name == "bench.emulator_bench":
        return main
    return importlib.import_module("bench.emulator_bench")


_BENCH = _bench_registry()
if TYPE_CHECKING:  # the same classes, named for the type checker
    from bench.emulator_bench import BenchContext, Scenario, register_filler, register_scenario
else:
    BenchContext = _BENCH.BenchContext
    Scenario = _BENCH.Scenario
    register_filler = _BENCH.register_filler
    register_scenario = _BENCH.register_scenario

#: Status of the n-th filled invoice: 40 % paid, 30 % open, 20 % draft, 5 % void, 5 % bad.
_STATUS_CYCLE = ("paid",) * 8 + ("open",) * 6 + ("draft",) * 4 + ("void", "uncollectible")

def _line_item(invoice: dict[str, Any], amount: int) -> dict[str, Any]:
    return {"id": new_id("ii"), "amount": amount, "currency": "usd",
            "description": "Monthly service", "discountable": True, "metadata": {},
            "period": {"start": invoice["created"], "end": invoice["created"]},
            "pricing": {"price_details": {"price": new_id("price"), "product": new_id("prod")},
                        "type": "price_details", "unit_amount_decimal": str(amount)},
            "quantity": 1, "quantity_decimal": "1"}


@register_filler
def fill_invoices(state: EmulatorState, size: int, sample: dict[str, Any]) -> None:
    customers = state.store.select(CUSTOMERS, Where().eq("deleted", 0), limit=1000)
    now = int(time.time()) - size
    sequences: dict[str, int] = {}
    batch = []
    for n in range(size):
        customer = customers[n % len(customers)]
        invoice = new_invoice(invoice_id=new_id("in"), created=now + n, customer=customer,
                              currency="usd", collection_method="send_invoice",
                              test_clock=None)
        invoice["due_date"] = now + n + 30 * 86_400
        invoice["_lines"].append(line_for_item(new_id("il"), _line_item(invoice, 1000 + n),
                                               invoice["id"]))
        recompute_totals(invoice)
        status = _STATUS_CYCLE[n % len(_STATUS_CYCLE)]
        invoice["status"] = status
        if status != "draft":
            sequence = sequences.get(customer["id"], 0) + 1
            sequences[customer["id"]] = sequence
            invoice["number"] = f"{customer['invoice_prefix']}-{sequence:04d}"
            invoice["status_transitions"]["finalized_at"] = invoice["created"]
        if status == "paid":
            invoice["amount_paid"], invoice["amount_remaining"] = invoice["amount_due"], 0
        batch.append(invoice)
    state.store.insert_many(INVOICES, batch)
    for customer in customers:
        customer["next_invoice_sequence"] = sequences.get(customer["id"], 0) + 1
        state.store.update(CUSTOMERS, customer)
    numbered = [i for i in batch[size // 2:] if i["number"]]
    sample.update(invoice_customer=batch[size // 2]["customer"],
                  invoice_number=numbered[0]["number"])


def _create_and_finalize_http(ctx: BenchContext) -> httpx.Response:
    customer = ctx.sample["invoice_customer"]
    invoice = ctx.http.post("/v1/invoices", data={"customer": customer}).json()
    for amount in (1000, 2500, 499):
        ctx.http.post("/v1/invoiceitems", data={"invoice": invoice["id"], "amount": amount,
                                                "currency": "usd"}).raise_for_status()
    return ctx.http.post(f"/v1/invoices/{invoice['id']}/finalize")


def _create_and_finalize_server(ctx: BenchContext) -> dict[str, Any]:
    invoice = invoicing.create_invoice(ctx.state, {"customer": ctx.sample["invoice_customer"]})
    for amount in (1000, 2500, 499):
        invoice_items.create_invoice_item(ctx.state, {"invoice": invoice["id"],
                                                      "amount": amount, "currency": "usd"})
    return invoice_lifecycle.finalize_invoice(ctx.state, invoice["id"], {})


def _list(params: dict[str, Any]) -> Scenario:
    def http(ctx: BenchContext) -> httpx.Response:
        return ctx.http.get("/v1/invoices", params=_resolve(ctx, params))

    def server(ctx: BenchContext) -> dict[str, Any]:
        return invoicing.list_invoices(ctx.state, _resolve(ctx, params), "/v1/invoices")

    name = "list invoices by " + " and ".join(params)
    return Scenario(name, http=http, server=server)


def _resolve(ctx: BenchContext, params: dict[str, Any]) -> dict[str, Any]:
    return {k: ctx.sample["invoice_customer"] if v == "<customer>" else v
            for k, v in params.items()}


register_scenario(Scenario("create invoice + 3 items + finalize", iterations=100,
                           http=_create_and_finalize_http,
                           server=_create_and_finalize_server))
register_scenario(_list({"status": "open"}))
register_scenario(_list({"customer": "<customer>"}))
register_scenario(_list({"customer": "<customer>", "status": "paid"}))
register_scenario(Scenario(
    "list invoices by status (100 per page)",
    http=lambda c: c.http.get("/v1/invoices", params={"status": "draft", "limit": 100}),
    server=lambda c: invoicing.list_invoices(c.state, {"status": "draft", "limit": 100},
                                             "/v1/invoices"),
))
register_scenario(Scenario(
    "search invoice by number",
    http=lambda c: c.http.get("/v1/invoices/search",
                              params={"query": f"number:'{c.sample['invoice_number']}'"}),
    server=lambda c: invoicing.search_invoices(
        c.state, {"query": f"number:'{c.sample['invoice_number']}'"}, "/v1/invoices/search"),
))
