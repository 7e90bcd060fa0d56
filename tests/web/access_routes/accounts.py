"""Routes of the shell and of accounts, for the access test."""
from __future__ import annotations

from tests.web.access_routes import ROLES, Route

# The object is always someone else's: a person of another hub, a link token nobody sent.
ROUTES: dict[str, Route] = {
    "static": (lambda w: {"filename": "roadmap.js"}, frozenset(ROLES)),
    "nhsuk_asset": (lambda w: {"filename": "nhsuk-frontend.min.js"}, frozenset(ROLES)),
    "favicon": (lambda w: {}, frozenset(ROLES)),
    "home.index": (lambda w: {}, frozenset(ROLES)),
    "home.home": (lambda w: {}, frozenset(ROLES)),
    "home.healthz": (lambda w: {}, frozenset(ROLES)),
    "home.accessibility": (lambda w: {}, frozenset(ROLES)),
    "home.privacy": (lambda w: {}, frozenset(ROLES)),
    "home.cookies": (lambda w: {}, frozenset(ROLES)),
    "home.contact": (lambda w: {}, frozenset(ROLES)),
    "accounts.sign_in": (lambda w: {}, frozenset(ROLES)),
    "accounts.sign_out": (lambda w: {}, frozenset(ROLES)),
    "accounts.two_factor": (lambda w: {}, frozenset(ROLES)),
    "account.accept_invitation": (lambda w: {"token": "not-a-real-token"}, frozenset()),
    "account.reset_password": (lambda w: {"token": "not-a-real-token"}, frozenset()),
    "account.unlock_two_factor": (lambda w: {"token": "not-a-real-token"}, frozenset()),
    "account.forgot_password": (lambda w: {}, frozenset(ROLES)),
    "account.set_up_app": (lambda w: {}, frozenset(ROLES)),
    "account.account": (lambda w: {}, frozenset(ROLES)),
    "account.change_password": (lambda w: {}, frozenset(ROLES)),
    "account.confirm_identity": (lambda w: {}, frozenset(ROLES)),
    "account.two_factor_settings": (lambda w: {}, frozenset(ROLES)),
    "account.new_recovery_codes": (lambda w: {}, frozenset(ROLES)),
    "people.list_people": (lambda w: {}, frozenset(ROLES)),
    "people.invite": (lambda w: {}, frozenset(ROLES)),
    "people.person": (lambda w: {"user_id": w["other"].id}, frozenset({"admin"})),
    "people.change_roles": (lambda w: {"user_id": w["other"].id}, frozenset({"admin"})),
    "people.set_active": (lambda w: {"user_id": w["other"].id}, frozenset({"admin"})),
}
