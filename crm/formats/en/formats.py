"""English as the administrations using the CRM write it: the day first (9 March 2026, 09/03/2026),
a 24-hour clock, weeks from Monday. Django's own English formats are American (month first), which
misreads 09/03/2026 as 3 September. Numbers keep Django's English formats (1,234.5)."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

# What forms and filters read: ISO first (date fields send it), then the day first; never the
# month first, so that 09/03/2026 is always 9 March.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-03-09
    "%d/%m/%Y",  # 09/03/2026
    "%d/%m/%y",  # 09/03/26
    "%d.%m.%Y",  # 09.03.2026
    "%d-%m-%Y",  # 09-03-2026
    "%d %b %Y",  # 9 Mar 2026
    "%d %B %Y",  # 9 March 2026
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M",
]
