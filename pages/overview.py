"""Overview: receivables at a glance; every number opens the invoices (for Collected, the
payments) behind it."""

import pandas as pd
import streamlit as st

from services.core.access import Action
from services.core.money import format_amount
from services.reporting.receivables import DSO_PERIOD_DAYS, FINALIZED
from ui import charts, navigation, reads, tables
from ui.caching import refresher
from ui.cash_received import payments_shown
from ui.formatting import count_of, status_label
from ui.gate import require_page
from ui.invoice_table import show_invoices
from ui.layout import as_of
from ui.reads import read_or_stop

PERIOD = f"last {DSO_PERIOD_DAYS} days"  # the DSO period: its finalized invoices

user = require_page(Action.VIEW)
st.title("Overview")

as_of_day = reads.today()
loaded = read_or_stop(reads.overview, as_of_day, what="receivables")
data = loaded.value
as_of(loaded.as_of, refresh=refresher("invoices", "reports"), key="overview")


def kpi_text(values: dict[str, int], unit: str) -> str:
    """One line per currency: amounts formatted, DSO in days."""
    if not values:
        return "—"
    if unit == "days":
        lines = [f"{count_of(days, 'day')} ({cur.upper()})" for cur, days in sorted(values.items())]
    else:
        lines = [format_amount(amount, cur) for cur, amount in sorted(values.items())]
    return "\n\n".join(f"#### {line}" for line in lines)


# -- headline numbers: one tile per KPI, its amounts per currency ----------------------
tiles = st.columns(len(data.kpis))
for tile, kpi in zip(tiles, data.kpis, strict=True):
    with tile.container(border=True):
        st.caption(kpi.label)
        st.markdown(kpi_text(kpi.values_by_currency, kpi.unit))
        behind = "payment" if kpi.key == "collected" else "invoice"  # receipts, not invoices
        st.caption(f"{count_of(kpi.invoices, behind)} behind this number")

counts = pd.DataFrame({"status": list(FINALIZED),
                       "count": [data.period_counts.get(s, 0) for s in FINALIZED]})

# -- the rows behind a number ---------------------------------------------------------
drill_labels = {f"kpi:{k.key}": f"{k.label.split(' (')[0]} ({k.invoices})" for k in data.kpis}
for status, count in zip(counts["status"], counts["count"], strict=True):
    drill_labels[f"status:{status}"] = f"{status.title()}, {PERIOD} ({count})"
choice = st.segmented_control(
    "Show the invoices behind",
    options=list(drill_labels),
    format_func=lambda choice: drill_labels.get(choice, choice),
    key=f"overview_drill.{as_of_day}",  # a new day is a new view: no stale selection
)
if choice is None:
    st.caption("Choose a number above to list the invoices (for Collected, the payments) "
               "it was computed from.")
else:
    kind, name = choice.split(":", 1)
    if kind == "kpi":
        rows = read_or_stop(reads.kpi_rows, as_of_day, name, what="the invoices").value
    else:
        rows = read_or_stop(reads.period_invoices, as_of_day, name, what="the invoices").value
        navigation.link("pages/invoices.py", f"Filter the Invoices list to {name}",
                        query_params={"status": status_label(name)}, icon=":material/list:")
    if choice == "kpi:collected":  # receipts, as Cash received lists them for these days
        shown = payments_shown(rows)
        st.dataframe(shown, key=f"overview_rows.{as_of_day}.{choice}", hide_index=True,
                     width="stretch", column_config={
                         "Received": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm")},
                     placeholder="")
        navigation.link("pages/cash_received.py", "Open Cash received",
                        icon=":material/payments:")
    else:
        extra = {"part": "Counted as"} if "part" in rows.columns else None
        shown = show_invoices(rows, key=f"overview_rows.{as_of_day}.{choice}", extra=extra)
    if not shown.empty:
        tables.export_buttons(shown, f"{name}-{as_of_day}", key=f"overview_export.{choice}")

# -- pictures: invoices by status, then the age of what is open, per currency --------
currencies = sorted(data.aging["currency"].unique())
row = st.columns(max(min(len(currencies), 3), 1) + 1)  # room for the "nothing open" note
status = charts.status_chart(counts, title=f"Invoiced in the {PERIOD}")
row[0].vega_lite_chart(status.data, status.spec, width="stretch")
if not currencies:
    row[1].info("No open invoices: nothing is ageing.")
for index, currency in enumerate(currencies):
    chart = charts.aging_chart(data.aging, currency)
    row[1 + index % 3].vega_lite_chart(chart.data, chart.spec, width="stretch")
