"""Reports: generate the compliance report of the sidebar filters and download it.

The report is the one `spec-audit report` writes (spec_audit.reports), read from the snapshot the
dashboards serve: HTML, PDF, JSON and CSV with manifest.json and SHA256SUMS, as single files or one
zip. It covers the filters' days, models and spec version; reports have no surface filter.
"""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl
import streamlit as st

from dashboards import downloads, queries
from dashboards.filters import current
from spec_audit.errors import UserError
from spec_audit.reports import FORMATS

#: Evidence examples per clause by default (spec_audit.reports.evidence.EXAMPLES_PER_CLAUSE, not
#: imported: the report modules are loaded only when a report is generated).
EXAMPLES = 3

snap, filters = current()
st.title("Reports")
spec = f"{filters.spec_id}@{filters.spec_version}"
models = ", ".join(filters.models) or "every model"
st.write(
    f"A compliance report of **{filters.start} → {filters.end}**, {models}, spec {spec}: "
    "violation rates with intervals, drift and change points, the refusal quadrant, evidence "
    "examples, data quality and method, with a manifest (code version, snapshot and catalog "
    "hashes) and SHA256SUMS so anyone can check the files."
)
if filters.surfaces:
    st.warning(
        f"Reports cover every surface: the surface filter ({', '.join(filters.surfaces)}) "
        "is not applied to the report."
    )
catalog = queries.catalog(spec)
if catalog is None:
    st.error(f"Spec {spec} is not shipped with this spec-audit, so it cannot be reported on.")
    st.stop()
cols = st.columns([3, 1])
formats = cols[0].multiselect("Formats", FORMATS, default=list(FORMATS), key="rp_formats")
examples = cols[1].number_input(
    "Evidence examples per clause", min_value=0, max_value=20, value=EXAMPLES, key="rp_examples"
)
if st.button("Generate report", type="primary", disabled=not formats, key="rp_generate"):
    with st.status("Generating the report from the snapshot…", expanded=True) as status:
        st.write(f"{len(formats)} formats; PDF rendering takes the longest")
        began = time.perf_counter()
        try:
            st.session_state["rp_report"] = downloads.generate(
                queries.audit_db(),
                Path(snap.path),
                catalog,
                start=filters.start,
                end=filters.end,
                models=filters.models,
                formats=formats,
                examples_per_clause=int(examples),
            )
        except UserError as error:
            status.update(label="The report could not be generated", state="error")
            st.error(str(error))
            st.stop()
        status.update(
            label=f"Report generated in {time.perf_counter() - began:.1f} s",
            state="complete",
            expanded=False,
        )

report: downloads.ReportDownload | None = st.session_state.get("rp_report")
if report is None:
    st.stop()
scope = report.scope
st.subheader(report.name)
st.caption(
    f"{scope['period']['from']} → {scope['period']['to']} · models {', '.join(scope['models'])} "
    f"· {scope['conversations']:,} conversations, {scope['turns']:,} turns · generated at "
    f"{report.manifest['generated_at']}"
)
st.download_button(
    "Download every file (zip)",
    report.zipped,
    file_name=f"{report.name}.zip",
    mime="application/zip",
    type="primary",
    key="rp_zip",
)
buttons = st.columns(len(report.files))
for column, (name, data, _) in zip(buttons, report.files, strict=True):
    column.download_button(
        name, data, file_name=name, mime=downloads.mime(name), key=f"rp_file_{name}"
    )
st.dataframe(
    pl.DataFrame(
        [(name, len(data), digest) for name, data, digest in report.files],
        schema={"file": pl.String, "bytes": pl.Int64, "sha256": pl.String},
        orient="row",
    ),
    hide_index=True,
    key="rp_files",
)
st.caption(
    "Unzip and run `spec-audit verify-report <folder>` to check every file against SHA256SUMS."
)
snapshot = report.manifest["database_snapshot"]
st.write(f"Snapshot {snapshot['file']} · SHA-256 `{snapshot['sha256']}`")
with st.expander("Manifest"):
    st.json(report.manifest)
