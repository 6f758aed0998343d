"""My account: changing the password keeps this session signed in and ends the others."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.conftest import AtlasDb, assert_no_exception, open_app, page_text

PARTNER1_PASSWORD = "atlas-demo-partner1"  # documented demo password (README)


def change_password(at: AppTest, *, current: str, new: str, repeat: str | None = None) -> None:
    at.text_input(key="pw_current").input(current)
    at.text_input(key="pw_new").input(new)
    at.text_input(key="pw_repeat").input(new if repeat is None else repeat)
    at.button[[b.label for b in at.button].index("Change password")].click().run()


def test_own_password_change_keeps_this_session_and_signs_out_an_older_one(atlas_db: AtlasDb):
    other_device = open_app(atlas_db, "account.py", as_="partner_a")
    this_device = open_app(atlas_db, "account.py", as_="partner_a")

    change_password(this_device, current=PARTNER1_PASSWORD, new="a brand new secret")

    assert_no_exception(this_device)
    assert "Your password was changed" in page_text(this_device)
    this_device.run()
    assert "Change password" in [b.label for b in this_device.button]  # still signed in
    other_device.run()
    assert "Change password" not in [b.label for b in other_device.button]
    assert "sign in" in page_text(other_device).lower()


def test_a_wrong_current_password_changes_nothing(atlas_db: AtlasDb):
    at = open_app(atlas_db, "account.py", as_="partner_a")
    change_password(at, current="not my password", new="a brand new secret")
    assert "The current password is not correct." in page_text(at)
    other = open_app(atlas_db, "account.py", as_="partner_a")
    assert "Change password" in [b.label for b in other.button]


def test_mismatched_new_passwords_are_refused(atlas_db: AtlasDb):
    at = open_app(atlas_db, "account.py", as_="partner_a")
    change_password(at, current=PARTNER1_PASSWORD, new="a brand new secret", repeat="different")
    assert "The two new passwords differ." in page_text(at)
