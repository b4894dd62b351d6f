"""English dates for an Italian clinic: day before month and the 24-hour clock, as in Italian."""

DATE_FORMAT = "j F Y"  # 30 November 2026
DATETIME_FORMAT = "l j F Y, H:i"  # Monday 30 November 2026, 09:15
TIME_FORMAT = "H:i"  # 09:15
SHORT_DATE_FORMAT = "d/m/Y"  # 30/11/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 30/11/2026 09:15
MONTH_DAY_FORMAT = "j F"  # 30 November
YEAR_MONTH_FORMAT = "F Y"  # November 2026
