"""Where a sign-in lands: the page the visitor asked for (``next``); without one, a partner
on My standing (its reason to keep its profile honest and current), everyone else on the
sign-in page with their screens in the sidebar."""

from __future__ import annotations

from core.accounts.sign_in import SignInResult
from core.models import ROLE_PARTNER
from pages import remember_sign_in


def remember_and_land(result: SignInResult, next_page: str | None) -> None:
    """``remember_sign_in``, sending the browser on to ``next_page`` or the role's landing."""
    default = "my_standing" if result.account.role == ROLE_PARTNER else None
    remember_sign_in(result, next_page or default)
