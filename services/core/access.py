"""Roles and what each may do: the single source of the permission matrix.

The UI uses :func:`can` to decide which buttons to offer; every service write
calls :func:`require` so a refused action stays refused whatever the UI shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.core.errors import PermissionDenied


class Role(StrEnum):
    """A user's role, from least to most trusted."""

    VIEWER = "viewer"
    CLERK = "clerk"
    APPROVER = "approver"
    ADMIN = "admin"


class Action(StrEnum):
    """Everything a user can ask the dashboard to do."""

    VIEW = "view"
    MANAGE_CATALOG = "manage_catalog"
    MANAGE_CUSTOMERS = "manage_customers"
    CREATE_DRAFT = "create_draft"
    EDIT_DRAFT = "edit_draft"
    DELETE_DRAFT = "delete_draft"
    SEND_INVOICE = "send_invoice"
    FINALIZE_INVOICE = "finalize_invoice"
    RECORD_PAYMENT = "record_payment"
    ISSUE_CREDIT_NOTE = "issue_credit_note"
    VOID_CREDIT_NOTE = "void_credit_note"
    VOID_INVOICE = "void_invoice"
    MARK_UNCOLLECTIBLE = "mark_uncollectible"
    RESEND_PAYMENT_NOTICE = "resend_payment_notice"
    VIEW_AUDIT_LOG = "view_audit_log"
    MANAGE_USERS = "manage_users"
    MANAGE_SETTINGS = "manage_settings"


_CLERK_ACTIONS = frozenset(
    {
        Action.VIEW,
        Action.MANAGE_CATALOG,
        Action.MANAGE_CUSTOMERS,
        Action.CREATE_DRAFT,
        Action.EDIT_DRAFT,
        Action.DELETE_DRAFT,
        Action.SEND_INVOICE,
        Action.RESEND_PAYMENT_NOTICE,
    }
)
_APPROVER_ACTIONS = _CLERK_ACTIONS | {
    Action.FINALIZE_INVOICE,
    Action.RECORD_PAYMENT,
    Action.ISSUE_CREDIT_NOTE,
    Action.VOID_CREDIT_NOTE,
    Action.VOID_INVOICE,
    Action.MARK_UNCOLLECTIBLE,
    Action.VIEW_AUDIT_LOG,
}

#: The permission matrix. Nothing else in the code decides who may do what.
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.VIEW}),
    Role.CLERK: _CLERK_ACTIONS,
    Role.APPROVER: frozenset(_APPROVER_ACTIONS),
    Role.ADMIN: frozenset(Action),
}


@dataclass(frozen=True)
class Actor:
    """Who is asking: the logged-in user name and their role."""

    username: str
    role: Role


def can(role: Role | str, action: Action) -> bool:
    """True when ``role`` may perform ``action``; unknown roles may do nothing."""
    try:
        return action in PERMISSIONS[Role(role)]
    except ValueError:
        return False


def require(actor: Actor, action: Action) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may perform ``action``."""
    if not can(actor.role, action):
        raise PermissionDenied(
            f"Your role ({actor.role}) may not {action.value.replace('_', ' ')}. "
            "Ask an approver or an admin."
        )
