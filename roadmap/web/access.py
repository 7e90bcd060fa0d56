"""Who may use a view: every view declares it, and the default is no."""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar

from flask import abort
from flask_login import current_user, login_required

from roadmap.accounts.models import Role

View = TypeVar("View", bound=Callable[..., Any])


def roles_required(*roles: Role) -> Callable[[View], View]:
    """Allow signed-in users holding any of the roles; others get 404, not a hint."""

    def decorate(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not (current_user.role_set & set(roles)):
                abort(404)
            return view(*args, **kwargs)

        wrapper.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def public(view: View) -> View:
    """Mark a view as open to everyone, so the access test knows it was meant."""
    view.allowed_roles = "public"  # type: ignore[attr-defined]
    return view


def signed_in(view: View) -> View:
    """Allow any signed-in user, whatever their roles."""
    wrapped = login_required(view)
    wrapped.allowed_roles = "signed_in"  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]
