"""The trend chart's geometry (triage/cases/trend.py): no database, no Django."""

from datetime import UTC, datetime, timedelta

from triage.cases.trend import PANEL_HEIGHT, PLOT_LEFT, PLOT_RIGHT, Series, trend_chart

START = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
SERIES = (
    Series("episodes", "Episodes"),
    Series("pain", "Pain", top=10, top_label="10"),
    Series("level", "Level", top=4, bottom_label="Routine", top_label="Emergency"),
)


def point(days, *, episodes=0, pain=0, level=0, current=False):
    return {
        "when": START + timedelta(days=days),
        "is_current": current,
        "episodes": episodes,
        "pain": pain,
        "level": level,
    }


def panel(chart, key):
    return next(item for item in chart.panels if item.key == key)


def test_no_points_draw_no_chart():
    assert trend_chart([], SERIES) is None


def test_one_point_sits_in_the_middle_with_one_date_and_no_line():
    chart = trend_chart([point(0, episodes=3, pain=5, level=2, current=True)], SERIES)

    for item in chart.panels:
        (marker,) = item.markers
        assert marker.x == (PLOT_LEFT + PLOT_RIGHT) // 2
        assert marker.is_current
    assert len(chart.ticks) == 1
    pain = panel(chart, "pain").markers[0]
    assert pain.y == panel(chart, "pain").bottom - PANEL_HEIGHT // 2


def test_points_spread_by_time_oldest_left_whatever_their_order():
    chart = trend_chart([point(30, pain=10), point(0, pain=0), point(10, pain=5)], SERIES)

    markers = panel(chart, "pain").markers
    assert [m.x for m in markers] == [PLOT_LEFT, PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) // 3, PLOT_RIGHT]
    # Higher values are higher on the page (smaller y), within the panel.
    ys = [m.y for m in markers]
    assert ys[0] == panel(chart, "pain").bottom
    assert ys[2] == panel(chart, "pain").top
    assert ys[0] > ys[1] > ys[2]
    assert [when for _x, when in chart.ticks] == [START, START + timedelta(days=30)]


def test_a_growing_scale_rounds_up_to_a_round_number():
    assert panel(trend_chart([point(0, episodes=3)], SERIES), "episodes").scale_top == 5
    assert panel(trend_chart([point(0, episodes=12)], SERIES), "episodes").scale_top == 20
    assert panel(trend_chart([point(0, episodes=0)], SERIES), "episodes").scale_top == 1
    assert panel(trend_chart([point(0, episodes=99)], SERIES), "episodes").scale_top == 100


def test_many_points_stay_inside_the_plot_and_their_panels_never_overlap():
    points = [point(day, episodes=day % 17, pain=day % 11, level=day % 5) for day in range(0, 500, 10)]
    chart = trend_chart(points, SERIES)

    for item in chart.panels:
        assert len(item.markers) == 50
        for marker in item.markers:
            assert PLOT_LEFT <= marker.x <= PLOT_RIGHT
            assert item.top <= marker.y <= item.bottom
        assert item.path.count("L") == 49
    bands = sorted((item.top, item.bottom) for item in chart.panels)
    for (_top, bottom), (next_top, _bottom) in zip(bands, bands[1:], strict=False):
        assert bottom < next_top
    assert chart.axis_y < chart.height


def test_a_missing_value_leaves_a_gap_in_its_panel_only():
    chart = trend_chart([point(0, level=1), point(5, level=None), point(9, level=3)], SERIES)

    assert len(panel(chart, "level").markers) == 2
    assert len(panel(chart, "pain").markers) == 3


def test_values_above_the_scale_are_drawn_at_its_top():
    chart = trend_chart([point(0, pain=14)], SERIES)

    marker = panel(chart, "pain").markers[0]
    assert marker.y == panel(chart, "pain").top
    assert marker.value == 14
