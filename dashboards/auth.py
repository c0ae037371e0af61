"""Access to the dashboards: optional login, and who may record reviews.

Three modes, chosen by the Streamlit secrets (``.streamlit/secrets.toml``):

- ``[auth]`` present: Streamlit's OIDC login (``st.login``); reviewers are the e-mail addresses
  listed in ``[roles] reviewers = [...]``.
- ``[accounts.<name>]`` present: a local account list, each with ``password`` (a hash made by
  ``python -m dashboards.auth``: scrypt, random salt) and ``role`` (``reviewer`` or ``viewer``).
- neither: the app is open (a local, single-user install) and anyone may record reviews under
  the name they type.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

import streamlit as st

#: scrypt cost parameters (n, r, p): about 50 ms and 16 MiB per check.
SCRYPT = (2**14, 8, 1)
REVIEWER = "reviewer"


@dataclass(frozen=True)
class User:
    """Who is using the app: the name reviews are recorded under, and the role."""

    name: str
    role: str


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """Return ``scrypt$n$r$p$<salt hex>$<hash hex>`` for ``password`` (random salt by default).

    >>> stored = hash_password("correct horse", salt=bytes(16))
    >>> stored.split("$")[:4], verify_password("correct horse", stored), verify_password("x", stored)
    (['scrypt', '16384', '8', '1'], True, False)
    """
    salt = salt if salt is not None else secrets.token_bytes(16)
    n, r, p = SCRYPT
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Return whether ``password`` matches a ``hash_password`` string (constant-time compare)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual.hex(), digest)


def _secrets() -> dict[str, Any]:
    """Return the app's secrets as a dict (empty when no secrets file exists)."""
    try:
        return st.secrets.to_dict()
    except Exception:  # Streamlit raises its own error types for a missing or broken file.
        return {}


def mode() -> str:
    """Return the access mode from the secrets: 'oidc', 'accounts' or 'open'."""
    found = _secrets()
    if "auth" in found:
        return "oidc"
    if found.get("accounts"):
        return "accounts"
    return "open"


def current_user() -> User | None:
    """Return the logged-in user (open mode: an anonymous reviewer), or None before login."""
    match mode():
        case "open":
            return User(name="", role=REVIEWER)
        case "oidc":
            if not st.user.is_logged_in:
                return None
            email = str(st.user.get("email") or st.user.get("name") or "")
            reviewers = _secrets().get("roles", {}).get("reviewers", [])
            return User(name=email, role=REVIEWER if email in reviewers else "viewer")
        case _:
            return st.session_state.get("user")


def require_login() -> User:
    """Return the current user, or show the login form and stop the page until one logs in."""
    user = current_user()
    if user is not None:
        return user
    st.title("spec-audit")
    if mode() == "oidc":
        st.write("Log in to see the audit.")
        st.button("Log in", on_click=st.login, key="login_oidc")
        st.stop()
    with st.form("login"):
        name = st.text_input("User name", key="login_name")
        password = st.text_input("Password", type="password", key="login_password")
        submitted = st.form_submit_button("Log in")
    if submitted:
        account = _secrets().get("accounts", {}).get(name)
        if account and verify_password(password, str(account.get("password", ""))):
            st.session_state["user"] = User(name=name, role=str(account.get("role", "viewer")))
            st.rerun()
        st.error("Unknown user name or wrong password.")
    st.stop()
    raise AssertionError("unreachable")  # st.stop() ends the script run


def logout() -> None:
    """Log the current user out (OIDC or local account)."""
    if mode() == "oidc":
        st.logout()
    st.session_state.pop("user", None)


def can_review(user: User) -> bool:
    """Return whether ``user`` may record reviews (the reviewer role; everyone in open mode)."""
    return user.role == REVIEWER


def main() -> None:
    """Print a ``[accounts.<name>]`` block for secrets.toml with a hashed password read from tty."""
    name = input("user name: ").strip()
    role = input("role (reviewer/viewer) [viewer]: ").strip() or "viewer"
    password = getpass.getpass("password: ")
    print(f'[accounts.{name}]\npassword = "{hash_password(password)}"\nrole = "{role}"')


if __name__ == "__main__":
    main()
