"""The portal's date formats, one module per language (FORMAT_MODULE_PATH).

Templates name a format (`|date:"DATETIME_FORMAT"`) and never spell one out,
so each kind of date reads the same on every page. A moment in a sentence is
`DATETIME_FORMAT` ("lunedì 30 novembre 2026, 09:15"), a day `DATE_FORMAT`;
tables and compact lines use the `SHORT_` forms. The 24-hour clock and
day-month-year order are the clinic's in both languages, and no format ends
in an abbreviation's full stop, so a date never doubles the stop of the
sentence that ends with it. What these modules leave out comes from Django's
own formats for the language.
"""
