"""Work done outside the request: jobs, their retries, the schedule, the workers (docs/jobs.md).

Built on Django's Tasks framework through its backport (django-tasks): jobs wait in the database
(django-tasks-db, the default) or in Redis (django-tasks-rq). What those leave out is here: retries
with backoff and a record of the jobs that gave up (`engine.py`), a periodic schedule enqueued once
per slot however many clocks run (`schedule.py`), the workers' signs of life and the jobs a killed
worker left running (`workers.py`), the worker's loop (`loop.py`) and the administrators' page
(`views.py`)."""
