"""Altair chart definitions shared by the dashboard and the compliance reports, and SVG rendering.

The one home of every chart: each is a plain function ``frame -> alt.Chart`` with no Streamlit
call, so the dashboard (``dashboards/views``) draws it interactively and a report renders the
same definition to SVG (``svg``, through vl-convert, offline). Each function documents the frame
shape it takes; callers select and rename their columns into that shape. Every chart that shows a
rate shows its interval too; rates are fractions and the axes format them as percentages. Times
use UTC scales, so a chart renders the same on every machine whatever its time zone.
"""

from __future__ import annotations

import re

import altair as alt
import polars as pl

PERCENT = ".1%"
#: Drift verdict colours, fixed so every chart and page agrees.
VERDICT_COLOURS = alt.Scale(
    domain=["regressed", "improved", "no change", "insufficient data"],
    range=["#c0392b", "#2e86c1", "#7f8c8d", "#d5d8dc"],
)
CHANGE_COLOUR = "#e45756"
REPLIES = ["complied", "refused", "no reply"]
INTENTS = ["benign", "ambiguous", "harmful"]


def _interval_tooltips() -> list[alt.Tooltip]:
    return [
        alt.Tooltip("rate:Q", format=PERCENT),
        alt.Tooltip("ci_low:Q", format=PERCENT, title="95% low"),
        alt.Tooltip("ci_high:Q", format=PERCENT, title="95% high"),
    ]


def clause_rates(frame: pl.DataFrame) -> alt.Chart:
    """Return a dot-and-interval chart of violation rates, one row per clause, highest first.

    ``frame``: clause_id, layer, applicable, violations, rate, ci_low, ci_high (the 95% Wilson
    interval); rows with a null rate are dropped.
    """
    data = frame.filter(pl.col("rate").is_not_null()).select(
        "clause_id", "layer", "applicable", "violations", "rate", "ci_low", "ci_high"
    )
    # An explicit order (ties by id) rather than a Vega sort, so reruns render identical SVG.
    order = data.sort(["rate", "clause_id"], descending=[True, False])["clause_id"].to_list()
    y = alt.Y("clause_id:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    base = alt.Chart(data).encode(
        y=y, tooltip=["clause_id", "layer", "applicable", "violations", *_interval_tooltips()]
    )
    bars = base.mark_rule(strokeWidth=2, color="#888").encode(
        x=alt.X(
            "ci_low:Q",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domainMin=0),
            title="violation rate (95% interval)",
        ),
        x2="ci_high:Q",
    )
    dots = base.mark_point(filled=True, size=40).encode(
        x="rate:Q", color=alt.Color("layer:N", title="layer")
    )
    return (bars + dots).properties(width=420, height=alt.Step(16))


def rate_over_time(series: pl.DataFrame, changes: pl.DataFrame | None = None) -> alt.Chart:
    """Return daily violation rates per model as lines over 95% Wilson bands, shifts as rules.

    ``series``: clause_id, model, day, applicable, violations, rate, ci_low, ci_high (one row per
    clause, model and day; a report that pools models passes one label such as "all models").
    ``changes`` (optional): clause_id, model, direction, start_day (the first day of a detected
    shift, drawn as a dashed vertical rule; rows without a start_day are skipped).
    One clause gives one chart; several give small multiples, one panel per clause.
    """
    rates = series.select(
        "clause_id", "model", pl.col("day").cast(pl.String), "applicable", "violations", "rate",
        "ci_low", "ci_high", direction=pl.lit(None, dtype=pl.String), mark=pl.lit("rate"),
    )  # fmt: skip
    frames = [rates]
    if changes is not None and changes.height:
        shifts = changes.filter(pl.col("start_day").is_not_null()).select(
            "clause_id", "model", day=pl.col("start_day").cast(pl.String),
            applicable=pl.lit(None, dtype=pl.Int64), violations=pl.lit(None, dtype=pl.Int64),
            rate=pl.lit(None, dtype=pl.Float64), ci_low=pl.lit(None, dtype=pl.Float64),
            ci_high=pl.lit(None, dtype=pl.Float64), direction="direction", mark=pl.lit("change"),
        )  # fmt: skip
        frames.append(shifts)
    # Facets need one data source, so rates and change points share a frame and are filtered apart.
    data = pl.concat(frames, how="vertical_relaxed")
    x = alt.X("day:T", scale=alt.Scale(type="utc"), axis=alt.Axis(format="%m-%d"), title=None)
    base = alt.Chart().encode(x=x)
    rate = base.transform_filter(alt.datum.mark == "rate")
    colour = alt.Color("model:N", title="model")
    band = rate.mark_area(opacity=0.2).encode(
        y=alt.Y("ci_low:Q", axis=alt.Axis(format="%"), title="violation rate (95% interval)"),
        y2="ci_high:Q",
        color=colour,
    )
    line = rate.mark_line(point=alt.OverlayMarkDef(size=16)).encode(
        y="rate:Q",
        color=colour,
        tooltip=[
            alt.Tooltip("utcyearmonthdate(day):T", title="day"),
            "model:N",
            "applicable:Q",
            "violations:Q",
            *_interval_tooltips(),
        ],
    )
    rule = (
        base.transform_filter(alt.datum.mark == "change")
        .mark_rule(color=CHANGE_COLOUR, strokeDash=[6, 3], strokeWidth=2)
        .encode(
            tooltip=[
                "model:N",
                "direction:N",
                alt.Tooltip("utcyearmonthdate(day):T", title="shift from"),
            ]
        )
    )
    layers = alt.layer(band, line, rule, data=data)
    if data["clause_id"].n_unique() <= 1:
        return layers.properties(height=280)
    return (
        layers.properties(width=190, height=70)
        .facet(facet=alt.Facet("clause_id:N", title=None), columns=3)
        .resolve_scale(y="independent")
    )


def refusal_quadrant(frame: pl.DataFrame) -> alt.Chart:
    """Return the refusal quadrant as a labelled heat map: prompt intent × what the reply did.

    ``frame``: prompt_intent, complied, refused, no_reply (turn counts, one row per intent).
    Cells are shaded by their share of the intent's turns and labelled with the count.
    """
    long = (
        frame.unpivot(
            index="prompt_intent",
            on=["complied", "refused", "no_reply"],
            variable_name="reply",
            value_name="turns",
        )
        .with_columns(
            pl.col("reply").str.replace("_", " "),
            share=(pl.col("turns") / pl.col("turns").sum().over("prompt_intent")).fill_nan(0.0),
        )
        .sort("prompt_intent", "reply")
    )
    base = alt.Chart(long).encode(
        x=alt.X("reply:N", sort=REPLIES, title="reply", axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y(
            "prompt_intent:N", sort=INTENTS, title="prompt intent", axis=alt.Axis(titlePadding=12)
        ),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("share:Q", scale=alt.Scale(scheme="blues"), legend=None),
        tooltip=["prompt_intent", "reply", "turns", alt.Tooltip("share:Q", format=PERCENT)],
    )
    labels = base.mark_text(fontSize=12).encode(
        text=alt.Text("turns:Q", format=","),
        color=alt.condition(alt.datum.share > 0.5, alt.value("white"), alt.value("black")),
    )
    return (cells + labels).properties(width=240, height=110)


def effects(frame: pl.DataFrame) -> alt.Chart:
    """Return each comparison's effect (rate B − rate A) with its 95% interval, coloured by verdict.

    ``frame``: clause_id, effect, effect_low, effect_high, q_value, verdict.
    """
    base = alt.Chart(frame).encode(
        y=alt.Y(
            "clause_id:N",
            sort=alt.EncodingSortField("effect", order="descending"),
            title=None,
            axis=alt.Axis(labelLimit=320, labelOverlap=False),
        ),
        color=alt.Color("verdict:N", scale=VERDICT_COLOURS),
        tooltip=[
            "clause_id",
            "verdict",
            alt.Tooltip("effect:Q", format="+.1%"),
            alt.Tooltip("effect_low:Q", format="+.1%", title="95% low"),
            alt.Tooltip("effect_high:Q", format="+.1%", title="95% high"),
            alt.Tooltip("q_value:Q", format=".2g", title="q"),
        ],
    )
    zero = alt.Chart().mark_rule(color="#555").encode(x=alt.datum(0))
    interval = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("effect_low:Q", axis=alt.Axis(format="+%"), title="rate B − rate A (95% interval)"),
        x2="effect_high:Q",
    )
    point = base.mark_point(filled=True, size=60).encode(x="effect:Q")
    return alt.layer(zero, interval, point, data=frame).properties(height=alt.Step(22))


def hot_spots(frame: pl.DataFrame, title: str) -> alt.Chart:
    """Return a bar per harm category of a refusal rate with its 95% Wilson interval.

    ``frame``: harm_category, turns, count, rate, ci_low, ci_high; ``title`` names the rate.
    """
    base = alt.Chart(frame).encode(
        y=alt.Y(
            "harm_category:N", sort=alt.EncodingSortField("rate", order="descending"), title=None
        ),
        tooltip=["harm_category", "turns", "count", *_interval_tooltips()],
    )
    bars = base.mark_bar(opacity=0.7).encode(
        x=alt.X("rate:Q", axis=alt.Axis(format="%"), title=f"{title} (95% interval)")
    )
    whiskers = base.mark_rule(color="black").encode(x="ci_low:Q", x2="ci_high:Q")
    return (bars + whiskers).properties(height=alt.Step(22))


def svg(chart: alt.TopLevelMixin, prefix: str = "") -> str:
    """Return the chart rendered to a standalone SVG string, offline (vl-convert), ids prefixed.

    Several SVGs inlined in one page must not share element ids (clip paths, gradients), so every
    ``id`` and its references get ``prefix``.
    """
    import vl_convert

    text = vl_convert.vegalite_to_svg(chart.to_json())
    if prefix:
        text = re.sub(r'id="([^"]+)"', rf'id="{prefix}\1"', text)
        text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}\1)", text)
    return text
