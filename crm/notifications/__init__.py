"""What the CRM tells its users by itself (docs/notifications.md): the morning reminder of one's
follow-ups due or overdue (`reminders.py`), the managers' weekly digest (`digest.py`), each marked
once per person before it is sent (`marks.py`), written in the reader's language (`mail.py`); in the
app, the header's count of one's due follow-ups and the notices of follow-ups others gave one
(`notices.py`, `context_processors.py`); the account page where each is turned off (`views.py`);
their places in the schedule (`entries.py`)."""
