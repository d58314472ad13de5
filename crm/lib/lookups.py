"""`status__in_codes=[...]` (or `InCodes(F("type"), codes)` in a filter): IN with the codes written
into the SQL rather than bound as parameters.

SQLite uses a partial index (such as the open follow-ups' one) only when it can see that the query's
condition implies the index's, which it cannot through bound parameters: with `status__in` the home
page's open follow-ups would be sorted from all of an officer's follow-ups. The lists' filters by
several values of a vocabulary (stakeholders.filters.ChoicesFilter) write one IN too, which
PostgreSQL reads as an index condition where an OR of equalities is a filter over every entry. Only
vocabulary codes are accepted (lower-case letters and underscores), never user input.
"""

import re
from typing import Any

from django.db import models

CODE = re.compile(r"[a-z_]+")


class InCodes(models.Lookup):
    lookup_name = "in_codes"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if isinstance(self.rhs, str):
            raise ValueError("in_codes takes a list of codes, not one string")
        codes = [str(code) for code in self.rhs]
        if not codes or not all(CODE.fullmatch(code) for code in codes):
            raise ValueError(f"in_codes takes vocabulary codes only, not {self.rhs!r}")
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} IN ({', '.join(repr(code) for code in codes)})", list(params)
