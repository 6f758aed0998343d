"""Import & export (administrators): partner CSV in and out, with a per-row error report."""

from __future__ import annotations

import io

import streamlit as st

from core.exports import audited_export, csv_row_count
from core.interchange.export import export_partners_csv
from core.interchange.format import ALL_OR_NOTHING, VALID_ROWS_ONLY, ImportReport, errors_csv
from core.interchange.importer import import_partners_csv
from core.models import ROLE_ADMIN, utc_now
from core.settings import DATA_DIR
from pages import get_engine, setup_page

account = setup_page("Import & export", "📦", roles=(ROLE_ADMIN,))
assert account is not None
MODES = {
    ALL_OR_NOTHING: "All or nothing: import only if every row is valid",
    VALID_ROWS_ONLY: "Valid rows only: import the good rows, report the rest",
}
TEMPLATE = DATA_DIR / "partner_template.csv"


st.subheader("Import partners")
st.write(
    "One row per partner in the partner CSV format (see the README). Every row is checked "
    "first; each problem is reported with its line number."
)
if TEMPLATE.is_file():
    st.download_button(
        "Download the CSV template",
        data=TEMPLATE.read_bytes(),
        file_name="partner_template.csv",
        mime="text/csv",
        on_click="ignore",
        key="template_download",
    )
with st.form("import_form"):
    upload = st.file_uploader("Partner CSV file", type=["csv"], key="import_file")
    mode = st.radio("Mode", options=list(MODES), format_func=MODES.get, key="import_mode")
    start = st.form_submit_button("Import", type="primary")

if start:
    if upload is None:
        st.error("Choose a CSV file first.")
    else:
        bar = st.progress(0.0, text="Checking the file…")

        def show_progress(fraction: float, message: str) -> None:
            bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

        report = import_partners_csv(
            engine=get_engine(),
            source=upload.getvalue(),
            mode=mode,
            actor_label=f"{account.username} (CSV import)",
            progress=show_progress,
        )
        st.session_state["import_report"] = report

report: ImportReport | None = st.session_state.get("import_report")
if report is not None:
    if report.ok:
        st.success(report.summary())
    elif report.imported:
        st.warning(report.summary())
    else:
        st.error(report.summary())
    if report.errors:
        st.write(f"{len(report.errors):,} problem(s):")
        st.dataframe(
            [{"Line": e.line, "Column": e.column, "Problem": e.reason} for e in report.errors],
            hide_index=True,
        )
        st.download_button(
            "Download the error report (CSV)",
            data=errors_csv(report),
            file_name="import_errors.csv",
            mime="text/csv",
            on_click="ignore",
            key="errors_download",
        )

st.divider()
st.subheader("Export partners")
st.write("Every partner with its whole profile, in the same CSV format the import reads.")
if st.button("Prepare the export", key="export_prepare"):
    engine = get_engine()

    def whole_directory() -> str:
        buffer = io.StringIO()
        export_partners_csv(engine=engine, path_or_buffer=buffer)
        return buffer.getvalue()

    with st.spinner("Exporting…"):  # the Audit trail says who took the whole directory
        data = audited_export(engine=engine, actor=account, what="partners", build=whole_directory)
    st.session_state["export_file"] = (data, csv_row_count(data), utc_now())

export = st.session_state.get("export_file")
if export is not None:
    data, count, made_at = export
    st.download_button(
        f"Download {count:,} partners (CSV)",
        data=data,
        file_name=f"partners-{made_at:%Y%m%d-%H%M}.csv",
        mime="text/csv",
        on_click="ignore",
        key="export_download",
    )
