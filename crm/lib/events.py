"""What happened in the registers, told to whoever listens (webhooks, notices to users).

A service that makes something happen calls `emit(name, **ids)` inside its transaction, after its
write; listeners are plugged in when the apps start (crm/apps.py) with `listen(name, function)`.
A listener usually enqueues a job (crm/jobs/): in the database, the job then exists if and only if
the write was committed. Events carry ids, never content: a listener reads what it may show.

Names: engagement.logged · follow_up.assigned (to someone other than who assigned it) ·
follow_up.done · follow_up.overdue (told by the daily job) · concern.raised · concern.resolved ·
concern.referred (a concern told before became a referral to Internal Affairs: what was told of it
is withdrawn; never told to other systems) · commitment.signed."""

from collections.abc import Callable

EVENTS = (
    "engagement.logged",
    "follow_up.assigned",
    "follow_up.done",
    "follow_up.overdue",
    "concern.raised",
    "concern.resolved",
    "concern.referred",
    "commitment.signed",
)

LISTENERS: dict[str, list[Callable[..., None]]] = {}


def listen(name: str, listener: Callable[..., None]) -> None:
    """`listener(name, **data)` is called at each emit of `name` ("*": of every event)."""
    if name != "*" and name not in EVENTS:
        raise ValueError(f"no event is named {name!r}")
    if listener not in LISTENERS.setdefault(name, []):
        LISTENERS[name].append(listener)


def emit(name: str, **data: object) -> None:
    if name not in EVENTS:
        raise ValueError(f"no event is named {name!r}")
    for listener in [*LISTENERS.get(name, ()), *LISTENERS.get("*", ())]:
        listener(name, **data)
