"""Italian dates as prose writes them: weekday and month lowercase (see clinic.django_messages)."""

DATE_FORMAT = "j F Y"  # 30 novembre 2026 ("il 30 novembre 2026" in a sentence)
DATETIME_FORMAT = "l j F Y, H:i"  # lunedì 30 novembre 2026, 09:15
TIME_FORMAT = "H:i"  # 09:15
SHORT_DATE_FORMAT = "d/m/Y"  # 30/11/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 30/11/2026 09:15
MONTH_DAY_FORMAT = "j F"  # 30 novembre
YEAR_MONTH_FORMAT = "F Y"  # novembre 2026
