"""Requests per token (per user for the session, per address without either); over the rate the
API answers 429 with Retry-After (API_RATE, docs/accounts.md).

Counted in fixed periods (a minute for "1200/min") in the database, one row per token
(crm.models.ApiRateCount): each request adds one and reads the total in one statement, an atomic
upsert, so that several workers share the count. A count in each worker's memory would let N workers
allow N times the rate; Django's database cache would cost five statements a request (a read, then
a write with its count of the cache's rows, in a transaction), and a sliding window there would
keep a timestamp per request. A fixed period may let up to twice the rate through across the
boundary of two periods: acceptable for a limit that protects the server, not a quota."""

from django.db import connection
from rest_framework.throttling import SimpleRateThrottle

from crm.models import ApiRateCount, ApiToken

_TABLE = ApiRateCount._meta.db_table
# SQLite (3.35+) and PostgreSQL write this the same way.
_COUNT = (
    f'INSERT INTO "{_TABLE}" ("who", "period", "requests") VALUES (%s, %s, 1) '
    f'ON CONFLICT ("who") DO UPDATE SET '
    f'"requests" = CASE WHEN "{_TABLE}"."period" = excluded."period" THEN "{_TABLE}"."requests" + 1 ELSE 1 END, '
    f'"period" = excluded."period" '
    f'RETURNING "requests"'
)


def count_request(who: str, period: int) -> int:
    """Count one request of `who` in `period`; how many it has made in that period, this one included."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNT, [who, period])
        return cursor.fetchone()[0]


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            who = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            who = f"user-{request.user.pk}"
        else:
            who = f"address-{self.get_ident(request)}"
        return who[:100]

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.now = self.timer()
        period = int(self.now // self.duration)
        self.period_ends = (period + 1) * self.duration
        return count_request(self.get_cache_key(request, view), period) <= self.num_requests

    def wait(self):
        """Seconds until the period ends (at least one)."""
        return max(1, int(self.period_ends - self.now + 0.999))
