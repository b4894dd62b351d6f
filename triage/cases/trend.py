"""The geometry of the case page's trend chart: the patient's questionnaires over time.

Plain Python: points in, coordinates out. The chart is drawn as inline SVG
by `triage/cases/_trend_chart.html`, on the server, so it needs no script and no
style attribute (the content security policy allows neither); its colours
and line widths come from the stylesheet.

One panel per measure (bleeding episodes, amount, pain, level), stacked on
a shared time axis: each measure keeps its own scale, and a panel's line
never crosses another's.
"""

from dataclasses import dataclass
from datetime import datetime

# In SVG user units, whole numbers only: a number in a template would otherwise be printed with the
# page language's decimal mark ("12,5"), which SVG does not read.
WIDTH = 640
PLOT_LEFT = 96  # room for the scale's words ("Emergency")
PLOT_RIGHT = WIDTH - 24
PANEL_HEIGHT = 56
PANEL_GAP = 34  # room for the next panel's name above it
TOP = 26
AXIS_HEIGHT = 30


@dataclass(frozen=True)
class Series:
    """One measure: its key on the points, its name, and the top of its scale.

    `top` None means the scale grows with the data (episodes can be up to
    99 but are mostly a handful); `labels` names the bottom and top values
    when numbers would not say it ("none" and "heavy").
    """

    key: str
    label: str
    top: int | None = None
    bottom_label: str = "0"
    top_label: str = ""


@dataclass(frozen=True)
class Marker:
    x: int
    y: int
    value: int
    # The value in words where a number would not say it ("light"), else the number.
    text: str
    when: datetime
    is_current: bool


@dataclass(frozen=True)
class Panel:
    key: str
    label: str
    top: int
    bottom: int
    label_y: int
    scale_top: int
    top_label: str
    bottom_label: str
    path: str
    markers: tuple[Marker, ...]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    panels: tuple[Panel, ...]
    axis_y: int
    # (x, when) of the first and last questionnaire, for the time axis labels.
    ticks: tuple[tuple[int, datetime], ...]


def _nice_top(values) -> int:
    """A round scale top at or above the largest value: 1, 2, 5, 10, 20, 50, 100..."""
    largest = max(values, default=0)
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= largest:
                return step * factor
        step *= 10


def _x_positions(times: list[datetime]) -> list[int]:
    """Each questionnaire's place on the time axis; a single one (or one moment) sits in the middle."""
    first, last = min(times), max(times)
    span = (last - first).total_seconds()
    width = PLOT_RIGHT - PLOT_LEFT
    if span <= 0:
        return [PLOT_LEFT + width // 2] * len(times)
    return [round(PLOT_LEFT + width * (when - first).total_seconds() / span) for when in times]


def trend_chart(points: list[dict], series: tuple[Series, ...]) -> Chart | None:
    """The chart of `points` (dicts with `when`, `is_current` and one value per series key).

    A value may come with its words under `<key>_text`, for the point's tooltip.

    Points are drawn oldest first whatever their order; a value of None
    (a level the rules could not give) leaves a gap in that panel only.
    """
    if not points:
        return None
    points = sorted(points, key=lambda point: point["when"])
    xs = _x_positions([point["when"] for point in points])
    panels = []
    top = TOP
    for item in series:
        values = [point[item.key] for point in points]
        scale_top = item.top if item.top is not None else _nice_top(v for v in values if v is not None)
        scale_top = max(scale_top, 1)
        bottom = top + PANEL_HEIGHT
        markers = []
        for x, value, point in zip(xs, values, points, strict=True):
            if value is None:
                continue
            clamped = min(max(value, 0), scale_top)
            y = round(bottom - PANEL_HEIGHT * clamped / scale_top)
            text = str(point.get(f"{item.key}_text", value))
            markers.append(Marker(x, y, value, text, point["when"], point["is_current"]))
        path = " ".join(
            f"{'M' if index == 0 else 'L'}{marker.x},{marker.y}" for index, marker in enumerate(markers)
        )
        panels.append(
            Panel(
                key=item.key,
                label=item.label,
                top=top,
                bottom=bottom,
                label_y=top - 10,
                scale_top=scale_top,
                top_label=item.top_label or str(scale_top),
                bottom_label=item.bottom_label,
                path=path,
                markers=tuple(markers),
            )
        )
        top = bottom + PANEL_GAP
    axis_y = top - PANEL_GAP
    ticks = ((xs[0], points[0]["when"]),)
    if points[-1]["when"] != points[0]["when"]:
        ticks += ((xs[-1], points[-1]["when"]),)
    return Chart(
        width=WIDTH,
        height=axis_y + AXIS_HEIGHT,
        plot_left=PLOT_LEFT,
        plot_right=PLOT_RIGHT,
        panels=tuple(panels),
        axis_y=axis_y,
        ticks=ticks,
    )
