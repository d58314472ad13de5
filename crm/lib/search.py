"""Finding rows by any part of their words, the way people type: case, accents and punctuation aside.

A model that can be searched holds a `search_text` column (text_field()): the folded text of the fields it is found
by ("Société Générale" → "societe generale"), written by its own rule on save() and by the bulk
writers, never edited. An index made for "contains" reads that column, because a plain column
still reads every row for `LIKE '%x%'`:

- on SQLite, an FTS5 table with the trigram tokenizer (`<table>_search`), kept in step by triggers
  on the table, so every writer keeps it, raw SQL included;
- on PostgreSQL, a GIN index of pg_trgm on the column (`<table>_search_trgm`).

`ensure_indexes()` makes what is missing after every `migrate` (post_migrate), not a migration: the
same index whatever path the migrations took, and SQLite, which drops a table's triggers when a
migration rebuilds the table, gets them back with the index rebuilt from the rows. Both indexes answer for words of MIN_WORD characters or more;
shorter words only narrow what the longer ones found (alone, they read the rows).
"""

import functools
import re
import unicodedata
from typing import Any

from django.apps import apps
from django.db import connections, models
from django.db.backends.utils import CursorWrapper
from django.db.models import ExpressionWrapper, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.lookups import In

ModelType = type[models.Model]
MIN_WORD = 3  # a trigram index holds nothing shorter
FEW = 2000  # matches a list may start from and sort; with more, it walks its own order (holds())
MAX_WORDS = 8  # a pasted paragraph is not a search
MAX_WORD_LENGTH = 60
_NOT_WORD = re.compile(r"[\W_]+")


def fold(*parts: object) -> str:
    """The searchable form of some text: lower case, accents removed, punctuation as spaces."""
    text = " ".join(str(part) for part in parts if part)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", plain).strip()


def digits(text: str) -> str:
    """A phone number's digits alone, so "771234567" finds "+221 77 123 45 67"."""
    return "".join(char for char in text or "" if char.isdigit())


def words(query: str) -> list[str]:
    """The words a query asks for, each once, folded like the searched text."""
    unique = dict.fromkeys(word[:MAX_WORD_LENGTH] for word in fold(query).split())
    return list(unique)[:MAX_WORDS]


def indexed(query_words: list[str]) -> bool:
    """Whether an index can answer: at least one word long enough for a trigram."""
    return any(len(word) >= MIN_WORD for word in query_words)


def text_field() -> models.TextField:
    """The column a searched model holds, named `search_text` (see the module's docstring): derived
    by the model's own rule, never edited. A plain text column, so migrations name only Django."""
    return models.TextField(editable=False, blank=True, default="")


def searched_models() -> list[ModelType]:
    """The models holding a `search_text` column: each gets its index."""
    return [
        model
        for model in apps.get_models()
        if any(field.name == "search_text" for field in model._meta.concrete_fields)
    ]


# Indexes -----------------------------------------------------------------------------------------


def fts_table(model: ModelType) -> str:
    return f"{model._meta.db_table}_search"


def uses_fts(model: ModelType, using: str = "default") -> bool:
    connection = connections[using]
    return connection.vendor == "sqlite" and fts5_available(using)


def fts5_available(using: str = "default") -> bool:
    """Whether the SQLite library holds FTS5 (Debian's and Python's builds do); asked once a process."""
    return _compiled_with("ENABLE_FTS5", using)


@functools.cache
def _compiled_with(option: str, using: str) -> bool:
    with connections[using].cursor() as cursor:
        cursor.execute("PRAGMA compile_options")
        return option in {row[0] for row in cursor.fetchall()}


def _sqlite_statements(model: ModelType) -> dict[str, str]:
    """The FTS table and its three triggers, by name. The table holds no text of its own
    (content=): it reads the rows' column, and the triggers tell it what changed."""
    table, index, pk = model._meta.db_table, fts_table(model), model._meta.pk.column
    remove = f"INSERT INTO {index}({index}, rowid, search_text) VALUES ('delete', old.{pk}, old.search_text);"
    add = f"INSERT INTO {index}(rowid, search_text) VALUES (new.{pk}, new.search_text);"
    return {
        index: (
            f"CREATE VIRTUAL TABLE {index} USING fts5("
            f"search_text, content='{table}', content_rowid='{pk}', tokenize='trigram')"
        ),
        f"{index}_insert": f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"{index}_delete": f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"{index}_update": (
            f"CREATE TRIGGER {index}_update AFTER UPDATE OF {pk}, search_text ON {table} "
            f"WHEN old.{pk} IS NOT new.{pk} OR old.search_text IS NOT new.search_text BEGIN {remove} {add} END"
        ),
    }


def ensure_index(model: ModelType, using: str = "default") -> bool:
    """Make the model's text index where it is missing or not as written here (a trigger of an
    earlier release, say); True when something was made."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _ensure_trigram_index(cursor, model)
        if connection.vendor != "sqlite" or not fts5_available(using):
            return False
        cursor.execute("SELECT name, type, sql FROM sqlite_master WHERE type IN ('table', 'trigger')")
        existing = {name: (kind, sql) for name, kind, sql in cursor.fetchall()}
        made = False
        for name, sql in _sqlite_statements(model).items():
            kind, stored = existing.get(name, ("", None))
            if stored == sql:
                continue
            if stored is not None:
                cursor.execute(f"DROP {'TRIGGER' if kind == 'trigger' else 'TABLE'} {name}")
            cursor.execute(sql)
            made = True
        if made:  # rows written while a trigger was missing or different: read them all again
            index = fts_table(model)
            cursor.execute(f"INSERT INTO {index}({index}) VALUES ('rebuild')")
    return made


def _ensure_trigram_index(cursor: CursorWrapper, model: ModelType) -> bool:
    name = f"{model._meta.db_table}_search_trgm"
    cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name])
    if cursor.fetchone():
        return False
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    if not cursor.fetchone():
        # A trusted extension: the database's owner may create it (PostgreSQL 13 and later).
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    cursor.execute(f"CREATE INDEX {name} ON {model._meta.db_table} USING gin (search_text gin_trgm_ops)")
    return True


def forget_removed_text(model: ModelType, using: str = "default") -> None:
    """Text removed from the model's rows (an erased person's name, a referral's narrative) gone
    from its index's storage too, not only from what it answers: SQLite's FTS5 table keeps the
    trigrams of deleted entries in its segments until they are merged, which 'optimize' does now
    (0.2 s for 75 000 concerns, a rare write). PostgreSQL's dead index entries go at the next
    VACUUM, which autovacuum runs."""
    if uses_fts(model, using):
        index = fts_table(model)
        with connections[using].cursor() as cursor:
            cursor.execute(f"INSERT INTO {index}({index}) VALUES ('optimize')")


def ensure_indexes(using: str = "default", **kwargs: Any) -> None:
    """After every migrate (post_migrate): each searched model's index is there and complete, where
    its table has the column (not when migrations were taken back to before it)."""
    introspection = connections[using].introspection
    tables = introspection.table_names()
    for model in searched_models():
        if model._meta.db_table in tables and _has_search_column(model, using):
            ensure_index(model, using)


def _has_search_column(model: ModelType, using: str) -> bool:
    connection = connections[using]
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, model._meta.db_table)
    return any(column.name == "search_text" for column in columns)


# Queries -----------------------------------------------------------------------------------------


def holds(model: ModelType, word: str, path: str = "", *, looked_up: bool = False) -> Q:
    """Rows whose searched text (that of `model`, reached from the queried model by `path`) holds
    `word` anywhere. A word of MIN_WORD characters or more is read from the index: its matches are
    where the reading starts (the rows are fetched by their ids and sorted). Or, `looked_up`, for a
    common word: the list walks its own ordering index and stops at its page, checking each row's
    own text as it goes (a related row's: its id looked up in the set the index gives), rather than
    fetch and sort every match (90 000 engagements hold "release"). Walking reads a few hundred
    rows where the order does not follow the words (dates); a list in name order, where words
    cluster ("Transit …"), starts from the matches instead."""
    prefix = f"{path}__" if path else ""
    if len(word) < MIN_WORD or (looked_up and not path):
        return Q(**{f"{prefix}search_text__contains": word})
    if uses_fts(model):
        index = fts_table(model)
        matched = RawSQL(f"SELECT rowid FROM {index} WHERE {index} MATCH %s", [_phrase(word)])
        return looked_up_in(matched, path) if looked_up else Q(**{f"{prefix}pk__in": matched})
    if not path:  # PostgreSQL weighs the trigram index against the list's own order from its statistics
        return Q(search_text__contains=word)
    # A related row's text: the ids its index finds, as a subquery (a condition on the joined
    # column, ORed with the row's own, would read every row).
    return Q(**{f"{prefix}pk__in": model._base_manager.filter(search_text__contains=word).values("pk")})


def few_matches(model: ModelType, word: str, using: str = "default", *, also: QuerySet | None = None) -> bool:
    """Whether fewer than FEW of the model's rows hold `word`, read from its index no further than
    that (SQLite's FTS table, PostgreSQL's trigram index); with `also`, and fewer than FEW rows of
    that queryset too, asked in the same statement."""
    connection = connections[using]
    if len(word) < MIN_WORD:
        return False
    if uses_fts(model, using):
        index = fts_table(model)
        sql = f"SELECT rowid FROM {index} WHERE {index} MATCH %s LIMIT {FEW}"
        params: list[Any] = [_phrase(word)]
    elif connection.vendor == "postgresql":
        sql, found = (
            model._base_manager.filter(search_text__contains=word).order_by().values("pk")[:FEW].query.sql_with_params()
        )
        params = list(found)
    else:
        return False
    sql = f"SELECT count(*) FROM ({sql}) matched_rows"
    if also is not None:
        also_sql, also_params = also.order_by().values("pk")[:FEW].query.sql_with_params()
        sql = f"SELECT ({sql}), (SELECT count(*) FROM ({also_sql}) also_rows)"
        params += list(also_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return all(count < FEW for count in cursor.fetchone())


def holds_or_among(model: ModelType, word: str, ids: QuerySet) -> Q:
    """Rows holding `word`, or whose id is among `ids` (a queryset of one column), both few
    (few_matches): read from the index and from `ids`, then fetched by id. PostgreSQL is given them
    as one set (UNION ALL): its planner reads every row for an OR of a text match and a subquery."""
    if connections[ids.db].vendor != "postgresql":
        return holds(model, word) | Q(pk__in=ids)
    held = model._base_manager.filter(search_text__contains=word).order_by().values("pk")
    return Q(pk__in=held.union(ids, all=True))


def looked_up_in(ids: Any, path: str = "") -> Q:
    """Rows whose id (or that of the row at `path`) is among `ids` (a subquery), each row looked up
    in them rather than the rows fetched from them: "id + 0 IN (…)", which no index can start from."""
    pk = F(f"{path}__pk" if path else "pk")
    return Q(In(ExpressionWrapper(pk + 0, output_field=models.IntegerField()), ids))


def _phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def holds_every(model: ModelType, query: str) -> Q:
    """Rows of `model` whose own text holds every word of `query`: a condition to OR with others
    (a commitment's parties)."""
    condition = Q()
    for word in words(query):
        condition &= holds(model, word)
    return condition


def matching(
    queryset: QuerySet, query: str, *, also: dict[str, ModelType] | None = None, walked: bool = False
) -> QuerySet:
    """Rows of `queryset` whose text holds every word of `query`; each word may instead be held by
    a related row's text (`also`: path → model, such as a contact's organization). `walked`: the
    list is in an order words do not follow (dates), so on SQLite a common word (FEW matches or
    more) is checked row by row as the list walks that order (holds(looked_up=True)); PostgreSQL's
    planner weighs that itself."""
    condition = Q()
    for word in words(query):
        if walked and uses_fts(queryset.model, queryset.db) and _common(queryset.model, word, queryset.db):
            held = holds(queryset.model, word, looked_up=True)
            for path, model in (also or {}).items():
                held |= holds(model, word, path, looked_up=True)
            condition &= held
            continue
        if also and len(word) >= MIN_WORD and not uses_fts(queryset.model, queryset.db):
            # PostgreSQL, a rare word: the rows whose related row holds it, as ids to join to the
            # rows' own (holds_or_among). A common one: each row checked as the list walks its order.
            model = queryset.model
            related = [
                model._base_manager.filter(holds(other, word, path)).order_by().values("pk")
                for path, other in also.items()
            ]
            ids = related[0].union(*related[1:], all=True) if len(related) > 1 else related[0]
            if few_matches(model, word, queryset.db, also=ids):
                condition &= holds_or_among(model, word, ids)
                continue
        held = holds(queryset.model, word)
        for path, model in (also or {}).items():
            held |= holds(model, word, path)
        condition &= held
    return queryset.filter(condition)


def _common(model: ModelType, word: str, using: str) -> bool:
    return len(word) >= MIN_WORD and not few_matches(model, word, using)


def first_matches(queryset: QuerySet, query: str, limit: int) -> list:
    """Up to `limit` rows of `queryset` holding every word of `query`, newest first, read from the
    index without counting every match (the header search). Nothing when no word is indexable."""
    query_words = words(query)
    if not indexed(query_words):
        return []
    long_words = [word for word in query_words if len(word) >= MIN_WORD]
    short_words = [word for word in query_words if len(word) < MIN_WORD]
    model = queryset.model
    if uses_fts(model):
        index = fts_table(model)
        # The index gives the rows holding every long word, newest first, and stops once enough
        # of them pass the queryset's own conditions (scope, short words).
        found = queryset.extra(
            tables=[index],
            where=[f"{index}.rowid = {model._meta.db_table}.{model._meta.pk.column}", f"{index} MATCH %s"],
            params=[" AND ".join(_phrase(word) for word in long_words)],
            order_by=[f"-{index}.rowid"],
        )
    else:
        found = queryset.filter(*(Q(search_text__contains=word) for word in long_words)).order_by("-pk")
    return list(found.filter(*(Q(search_text__contains=word) for word in short_words))[:limit])
