"""The read model: a local copy of the Stripe objects every view reads, kept current by events.

- ``tables``: one table per object type (the object's JSON as Stripe sent it, plus
  indexed columns for what views filter, sort, sum and search on);
- ``columns``: those columns, taken from a Stripe object;
- ``store``: every SQL statement over these tables (writes never let an older read
  of an object overwrite a newer one);
- ``sync``: keeping it current (re-reads after events and writes); ``backfill``:
  filling it (every object listed, resumable); ``stripe_reads``: the paced Stripe
  reads both use; ``snapshots``: storing a read; ``upkeep``: catch-up;
  ``reconcile``: checking it against Stripe;
- ``queries``: what the views ask of it.
"""
