"""A faithful, stateful local Stripe for the invoicing API (see README.md)."""
