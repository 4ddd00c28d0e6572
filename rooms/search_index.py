"""The full-text index of message bodies, and the queries that read it, on either database.

SQLite: an FTS5 table over rooms_message, kept in step by triggers, so an edit or a deletion by
any path (the ORM, the admin, a cascade, raw SQL) reaches it. PostgreSQL: a stored tsvector
column the database recomputes on every write, under a GIN index. Both read punctuation as a
space, so the words inside an address are words, and every query word is a prefix.
"""

from dataclasses import dataclass

from django.db import connections

from rooms.models import Message

# Larger than any primary key: the first page is "before" this.
NEWEST = 2**63 - 1
SQLITE_TABLE = "message_search"
# The prefix indexes make a prefix of up to six characters one lookup: without them FTS5 merges
# the postings of every word the prefix starts, which grows with the table.
SQLITE_CREATE_TABLE = f"""
    CREATE VIRTUAL TABLE {SQLITE_TABLE} USING fts5(
        body, content='rooms_message', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0', prefix='1 2 3 4 5 6'
    )"""
# External content: the index must be told the old text to take a row out.
SQLITE_TRIGGERS = {
    "message_search_insert": f"""
        CREATE TRIGGER message_search_insert AFTER INSERT ON rooms_message BEGIN
            INSERT INTO {SQLITE_TABLE}(rowid, body) VALUES (new.id, new.body);
        END""",
    "message_search_update": f"""
        CREATE TRIGGER message_search_update AFTER UPDATE OF body ON rooms_message BEGIN
            INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rowid, body)
                VALUES ('delete', old.id, old.body);
            INSERT INTO {SQLITE_TABLE}(rowid, body) VALUES (new.id, new.body);
        END""",
    "message_search_delete": f"""
        CREATE TRIGGER message_search_delete AFTER DELETE ON rooms_message BEGIN
            INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rowid, body)
                VALUES ('delete', old.id, old.body);
        END""",
}
SQLITE_REBUILD = f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}) VALUES ('rebuild')"

# ASCII punctuation but % and ' (the parser reads both as a space already): without this,
# PostgreSQL's parser keeps an address, a path or an email whole, and its words unfindable.
PUNCTUATION = '!"#$&()*+,-./:;<=>?@[\\]^_`{|}~'
POSTGRESQL_DOCUMENT = (
    "strip(to_tsvector('simple'::regconfig, "
    f"translate(body, '{PUNCTUATION}', '{' ' * len(PUNCTUATION)}')))"
)
POSTGRESQL_INSTALL = [
    # 'simple': no stemming or stop words, as FTS5 does; every word stays a word, in any language.
    "ALTER TABLE rooms_message ADD COLUMN search_document tsvector"
    f" GENERATED ALWAYS AS ({POSTGRESQL_DOCUMENT}) STORED",
    "CREATE INDEX message_search ON rooms_message USING gin (search_document)",
]
POSTGRESQL_UNINSTALL = ["ALTER TABLE rooms_message DROP COLUMN search_document"]


def install(schema_editor):
    """Create the index and fill it from the messages already there."""
    if schema_editor.connection.vendor == "sqlite":
        for statement in [SQLITE_CREATE_TABLE, *SQLITE_TRIGGERS.values(), SQLITE_REBUILD]:
            schema_editor.execute(statement, params=None)
    elif schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_INSTALL:
            schema_editor.execute(statement, params=None)


def uninstall(schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)
        schema_editor.execute(f"DROP TABLE IF EXISTS {SQLITE_TABLE}", params=None)
    elif schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_UNINSTALL:
            schema_editor.execute(statement, params=None)


def restore_triggers(using="default", **kwargs):
    """After migrations: put back the triggers a rebuilt rooms_message lost, and refill.

    On SQLite, Django alters a table by copying it into a new one and dropping the old, and
    the old one's triggers go with it; the index would then silently miss every later change.
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name IN (%s, %s, %s, %s)",
            [SQLITE_TABLE, *SQLITE_TRIGGERS],
        )
        present = {name for (name,) in cursor.fetchall()}
        if SQLITE_TABLE not in present or SQLITE_TRIGGERS.keys() <= present:
            return
        for name, statement in SQLITE_TRIGGERS.items():
            if name not in present:
                cursor.execute(statement)
        cursor.execute(SQLITE_REBUILD)


# The most messages holding a query's words that one page looks through, newest first: however
# few of them the reader may see or the filters keep, a page costs no more than this.
WINDOW = 5000
# FTS5 drives the join newest first and stops after `limit` rows the reader may see, or at the
# window's last message.
SQLITE_QUERY = f"""
    SELECT {SQLITE_TABLE}.rowid FROM {SQLITE_TABLE}
    JOIN rooms_message ON rooms_message.id = {SQLITE_TABLE}.rowid
    WHERE {SQLITE_TABLE} MATCH %s AND {SQLITE_TABLE}.rowid < %s AND {SQLITE_TABLE}.rowid >= %s
        AND {{conditions}}
    ORDER BY {SQLITE_TABLE}.rowid DESC LIMIT %s"""
SQLITE_WINDOW_END = f"""
    SELECT rowid FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH %s AND rowid < %s
    ORDER BY rowid DESC LIMIT 1 OFFSET %s"""
# The planner reads the window newest first by primary key (common words) or sorts the GIN
# index's matches (rare ones); the filters apply to what the window holds.
POSTGRESQL_WINDOW = """
    SELECT id, room_id, author_id FROM rooms_message
    WHERE search_document @@ to_tsquery('simple'::regconfig, %s) AND id < %s
    ORDER BY id DESC LIMIT %s"""
POSTGRESQL_QUERY = f"""
    SELECT id FROM ({POSTGRESQL_WINDOW}) AS candidate
    WHERE {{conditions}} ORDER BY id DESC LIMIT %s"""
POSTGRESQL_WINDOW_END = """
    SELECT id FROM rooms_message
    WHERE search_document @@ to_tsquery('simple'::regconfig, %s) AND id < %s
    ORDER BY id DESC LIMIT 1 OFFSET %s"""


def sqlite_match(words):
    """Every word as a quoted FTS5 prefix: nothing typed is read as query syntax."""
    return " ".join('"{}"*'.format(word.replace('"', '""')) for word in words)


def postgresql_match(words):
    """Every word as a quoted tsquery prefix: nothing typed is read as query syntax."""
    quoted = (word.replace("\\", "\\\\").replace("'", "''") for word in words)
    return " & ".join(f"'{word}':*" for word in quoted)


@dataclass
class Matches:
    ids: list  # newest first
    # Where a page cut short by the window's end stopped: older matches may lie past it.
    window_end: int | None


def matching_ids(words, rooms, *, author=None, before=None, limit):
    """The newest `limit` messages in `rooms` (a Room queryset) holding a word that starts with
    each of `words`, by `author` if given, older than message `before`; with words, among the
    WINDOW newest messages holding them."""
    before = before or NEWEST
    if not words:
        messages = Message.objects.filter(room__in=rooms, pk__lt=before)
        if author is not None:
            messages = messages.filter(author=author)
        return Matches(list(messages.order_by("-pk").values_list("pk", flat=True)[:limit]), None)
    rooms_sql, rooms_params = rooms.order_by().values("pk").query.sql_with_params()
    conditions, params = [f"room_id IN ({rooms_sql})"], list(rooms_params)
    if author is not None:
        conditions.append("author_id = %s")
        params.append(author.pk)
    connection = connections[Message.objects.db]
    page = sqlite_page if connection.vendor == "sqlite" else postgresql_page
    with connection.cursor() as cursor:
        return page(cursor, words, before, " AND ".join(conditions), params, limit)


def sqlite_page(cursor, words, before, conditions, params, limit):
    match = sqlite_match(words)
    window_end = first_column(cursor, SQLITE_WINDOW_END, [match, before, WINDOW - 1])
    query = SQLITE_QUERY.format(conditions=conditions)
    cursor.execute(query, [match, before, window_end or 0, *params, limit])
    ids = [pk for (pk,) in cursor.fetchall()]
    return Matches(ids, window_end if len(ids) < limit else None)


def postgresql_page(cursor, words, before, conditions, params, limit):
    match = postgresql_match(words)
    query = POSTGRESQL_QUERY.format(conditions=conditions)
    cursor.execute(query, [match, before, WINDOW, *params, limit])
    ids = [pk for (pk,) in cursor.fetchall()]
    if len(ids) == limit:
        return Matches(ids, None)
    # Only a page the filters thinned out asks where its window ended.
    return Matches(ids, first_column(cursor, POSTGRESQL_WINDOW_END, [match, before, WINDOW - 1]))


def first_column(cursor, query, params):
    cursor.execute(query, params)
    row = cursor.fetchone()
    return row and row[0]
