"""My profile: the partner keeps its own profile current.

Widgets hold their values in session state under keys that carry the profile version the
editor loaded, so a reload after a conflict starts from fresh widgets while unsaved edits
survive reruns. Certifications are submitted separately: they wait for approval.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from sqlmodel import Session

from core.db import session_scope
from core.directory.profile_fields import (
    FIELD_LABELS,
    ProfileValidationError,
    flatten_form,
    form_defaults,
    format_value,
    parse_profile_form,
    unflatten_form,
)
from core.directory.profiles import (
    EditableProfile,
    ProfileConflict,
    SaveResult,
    apply_changes,
    load_profile_for_edit,
    save_profile,
)
from core.formatting import humanize_age
from core.geo.states import STATE_NAMES
from core.models import MaxLength, Partner, utc_now
from core.taxonomy import get_taxonomy
from pages import get_engine
from pages.parts.certifications import certifications_section
from pages.parts.partner_page import setup_partner_page
from pages.parts.profile_attributes import attribute_fields
from pages.parts.saving import save, show_after_rerun, show_saved

account, PARTNER_ID = setup_partner_page("My profile", "✏️")
TAXONOMY = get_taxonomy()
LOADED = f"profile_loaded_{PARTNER_ID}"
ERRORS, CONFLICT = "profile_errors", "profile_conflict"


def load_profile() -> EditableProfile:
    with session_scope(get_engine()) as session:
        return load_profile_for_edit(session=session, actor=account, partner_id=PARTNER_ID)


def key(version: int, name: str) -> str:
    return f"pf{PARTNER_ID}_{version}_{name}"


def prefill(version: int, defaults: dict[str, Any], *, overwrite: bool = False) -> None:
    """Put widget values into session state once, before the widgets are drawn."""
    for name, value in flatten_form(defaults).items():
        if overwrite or key(version, name) not in st.session_state:
            st.session_state[key(version, name)] = value


def form_values(version: int) -> dict[str, Any]:
    prefix = key(version, "")
    return unflatten_form(
        {k.removeprefix(prefix): v for k, v in st.session_state.items() if k.startswith(prefix)}
    )


def has_unsaved_edits(profile: EditableProfile) -> bool:
    prefix = key(profile.version, "")
    if not any(k.startswith(prefix) for k in st.session_state):
        return False  # the editor's widgets are gone (another page was open meanwhile)
    return form_values(profile.version) != unflatten_form(
        flatten_form(form_defaults(profile.values))
    )


def stored_version() -> int | None:
    with Session(get_engine()) as session:
        partner = session.get(Partner, PARTNER_ID)
        return partner.version if partner else None


loaded: EditableProfile | None = st.session_state.get(LOADED)
if loaded is None or loaded.partner_id != PARTNER_ID:
    loaded = load_profile()
elif (
    CONFLICT not in st.session_state
    and not st.session_state.get("profile_save")  # a save of what was shown must be checked
    and not has_unsaved_edits(loaded)
    and stored_version() != loaded.version
):
    loaded = load_profile()  # nothing typed yet: show what is stored now, not a conflict later
st.session_state[LOADED] = loaded
VERSION = loaded.version
prefill(VERSION, form_defaults(loaded.values))
errors: dict[str, list[str]] = st.session_state.get(ERRORS) or {}

show_saved()  # of this page's last save: the profile, a certification, a merge
now = utc_now()
confirmed = (
    f"confirmed current by you {humanize_age(loaded.confirmed_at, now=now)}"
    if loaded.confirmed_at
    else "not confirmed yet"
)
verified = (
    f"verified by an administrator {humanize_age(loaded.verified_at, now=now)}"
    if loaded.verified_at
    else "not verified by an administrator"
)
st.caption(
    f"Version {VERSION} · last updated {humanize_age(loaded.updated_at, now=now)} · "
    f"{confirmed} · {verified}. Saving, even without changes, confirms that your profile "
    "is current; customers see it as “confirmed current by the partner”."
)

# --- a conflict from the last save ---------------------------------------------------------
conflict: ProfileConflict | None = st.session_state.get(CONFLICT)
if conflict is not None:
    st.error(str(conflict))
    st.dataframe(
        [
            {
                "Field": d.label,
                "When you opened it": format_value(d.field, d.loaded),
                "Your value": format_value(d.field, d.yours),
                "Saved meanwhile (current)": format_value(d.field, d.current),
            }
            for d in conflict.differences
        ],
        hide_index=True,
    )
    keep, discard = st.columns(2)
    if keep.button("Load the current profile and keep my other edits", key="conflict_keep"):
        current = conflict.current
        try:
            yours = apply_changes(loaded.values, parse_profile_form(form_values(VERSION)))
        except ProfileValidationError:
            yours = loaded.values
        # Three-way merge: a field you edited keeps your value, any other takes the current.
        merged = {
            f: (yours[f] if yours[f] != loaded.values.get(f) else current.values[f])
            for f in current.values
        }
        prefill(current.version, form_defaults(merged), overwrite=True)
        st.session_state[LOADED] = current
        st.session_state.pop(CONFLICT, None)
        show_after_rerun(
            "Loaded the current profile with your edits on top. Check the fields listed "
            "before and save again."
        )
        st.rerun()
    if discard.button("Discard my edits and load the current profile", key="conflict_discard"):
        st.session_state[LOADED] = conflict.current
        prefill(conflict.current.version, form_defaults(conflict.current.values), overwrite=True)
        st.session_state.pop(CONFLICT, None)
        st.rerun()

if errors:
    st.error(
        "Please correct these fields:\n\n"
        + "\n".join(f"- {FIELD_LABELS.get(f, f)}: {' '.join(m)}" for f, m in errors.items())
    )


def field_error(name: str) -> None:
    for message in errors.get(name, []):
        st.error(message, icon="⚠️")


def level_label(value: int) -> str:
    return f"{value} · {TAXONOMY.level_label(value)}"


# --- the profile form ----------------------------------------------------------------------
with st.form("profile_form"):
    st.subheader("Company")
    st.text_input(FIELD_LABELS["name"], key=key(VERSION, "name"), max_chars=MaxLength.PARTNER_NAME)
    field_error("name")
    st.text_area(
        FIELD_LABELS["description"],
        key=key(VERSION, "description"),
        max_chars=MaxLength.DESCRIPTION,
        height=120,
    )
    field_error("description")
    c1, c2, c3 = st.columns(3)
    with c1:
        st.text_input(
            FIELD_LABELS["website"], key=key(VERSION, "website"), help="http:// or https:// only"
        )
        field_error("website")
    with c2:
        st.text_input(FIELD_LABELS["email"], key=key(VERSION, "email"))
        field_error("email")
    with c3:
        st.text_input(FIELD_LABELS["phone"], key=key(VERSION, "phone"))
        field_error("phone")

    st.subheader("Where you work")
    c1, c2 = st.columns(2)
    with c1:
        st.text_area(
            FIELD_LABELS["locations"],
            key=key(VERSION, "locations"),
            help="One 5-digit ZIP code per line; the first one is your headquarters.",
        )
        field_error("locations")
    with c2:
        st.number_input(
            FIELD_LABELS["service_radius_km"],
            key=key(VERSION, "service_radius_km"),
            min_value=0.0,
            max_value=5000.0,
            step=10.0,
            format="%g",  # "150", "12.5": decimals only when not whole, not "150.00"
            help="How far from your locations you travel to customers. Empty: not set.",
        )
        field_error("service_radius_km")
        st.multiselect(
            FIELD_LABELS["states_served"],
            options=sorted(STATE_NAMES),
            format_func=lambda code: f"{code} · {STATE_NAMES[code]}",
            key=key(VERSION, "states_served"),
            help="Whole states you serve, wherever the customer is in them.",
        )
        field_error("states_served")
    st.multiselect(
        FIELD_LABELS["segments"],
        options=list(TAXONOMY.segment_keys),
        format_func=lambda k: next(s.label for s in TAXONOMY.segments if s.key == k),
        key=key(VERSION, "segments"),
    )
    field_error("segments")
    attribute_fields(lambda name: key(VERSION, name), field_error)

    st.subheader("Self-assessed competencies")
    st.caption(
        "Your own assessment. Approved certifications show as evidence next to it; a claim "
        "far above the evidence is flagged on your public profile."
    )
    columns = st.columns(3)
    for i, area in enumerate(a for a in TAXONOMY.areas if a.key in TAXONOMY.technology_keys):
        with columns[i % 3]:
            st.selectbox(
                area.label,
                options=[0, 1, 2, 3],
                format_func=level_label,
                key=key(VERSION, f"level_{area.key}"),
                help=area.description,
            )
    field_error("competencies")
    st.subheader("Business services")
    for key_ in TAXONOMY.service_keys:
        area = TAXONOMY.area(key_)
        c1, c2 = st.columns(2)
        with c1:
            st.selectbox(
                area.label,
                options=[0, 1, 2, 3],
                format_func=level_label,
                key=key(VERSION, f"level_{key_}"),
                help=area.description,
            )
        with c2:
            st.text_input(
                f"{area.label}: delivered with ally (optional)",
                key=key(VERSION, f"ally_{key_}"),
                max_chars=MaxLength.ALLY_NAME,
            )
    field_error("allies")
    submitted = st.form_submit_button("Save profile", type="primary", key="profile_save")


def saved(result: SaveResult) -> str:
    """After a save: the editor starts over from what is stored now."""
    fresh = load_profile()
    st.session_state[LOADED] = fresh
    prefill(fresh.version, form_defaults(fresh.values), overwrite=True)
    changed = ", ".join(FIELD_LABELS.get(f, f) for f in result.changes)
    return f"Saved. Changed: {changed}." if changed else "Saved: your profile is confirmed."


if submitted:
    st.session_state.pop(ERRORS, None)
    try:
        update = parse_profile_form(form_values(VERSION))
        save(
            lambda session: save_profile(
                session=session,
                actor=account,
                partner_id=PARTNER_ID,
                expected_version=VERSION,
                changes=update,
                loaded=loaded,
            ),
            done=saved,
        )
    except ProfileValidationError as exc:
        st.session_state[ERRORS] = exc.errors
        st.rerun()
    except ProfileConflict as exc:
        # A fresh copy: the raised one holds a traceback (and with it the closed session).
        st.session_state[CONFLICT] = ProfileConflict(exc.differences, exc.current)
        st.rerun()

# --- certifications ------------------------------------------------------------------------
st.divider()
certifications_section(account=account, partner_id=PARTNER_ID)
