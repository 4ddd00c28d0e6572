"""Search finds messages by the words in them, on SQLite (FTS5) and PostgreSQL alike: prefixes,
words inside addresses, filters, newest first a page at a time, only where the reader may read,
and in step with every edit and deletion."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, models

from rooms import search_index
from rooms.models import Message, Room
from rooms.posting import post_message
from rooms.search import PAGE_SIZE, search
from rooms.search_index import PUNCTUATION, SQLITE_TABLE, matching_ids
from rooms.search_query import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def say(room, alice, unlimited_posting):
    """Post `body` as `author` (alice) in `where` (the lobby)."""

    def say(body, author=alice, where=room):
        return post_message(where, author, body)

    return say


def found(user, text, before=None):
    return [hit.message.body for hit in search(user, parse(text), before).hits]


def index_is_in_step():
    """Whether the index holds exactly what the messages say, as the database itself checks."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            try:
                cursor.execute(
                    f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rank) "
                    "VALUES ('integrity-check', 1)"
                )
            except Exception:  # FTS5 reports an index out of step as a corrupt table
                return False
            return True
        spaces = " " * len(PUNCTUATION)
        cursor.execute(
            "SELECT count(*) FROM rooms_message WHERE search_document IS DISTINCT FROM "
            "strip(to_tsvector('simple', translate(body, %s, %s)))",
            [PUNCTUATION, spaces],
        )
        return cursor.fetchone()[0] == 0


def test_a_prefix_finds_the_whole_word(say, alice):
    say("we deploy on fridays")
    say("nothing to see")

    assert found(alice, "deplo") == ["we deploy on fridays"]
    assert found(alice, "d") == ["we deploy on fridays"]
    assert found(alice, "eploy") == [], "a word's middle is not a prefix"


def test_words_inside_addresses_are_found(say, alice):
    body = "logs at https://ci.example.com/deployments/42?tab=Errors#L7 and mail@ops.example.org"
    say(body)

    for query in ["deployments", "deplo", "errors", "ci.example.com", "ops", "l7", "42"]:
        assert found(alice, query) == [body], query


def test_every_word_must_match_in_any_order_and_case(say, alice):
    say("Deploy on Friday")
    say("deploy on monday")

    assert found(alice, "FRI deploy") == ["Deploy on Friday"]


def test_from_and_in_filter_by_author_and_room(say, alice, bob):
    random = Room.objects.create(name="Random", slug="random")
    say("deploy by alice in the lobby")
    say("deploy by bob in the lobby", author=bob)
    say("deploy by bob in random", author=bob, where=random)

    assert found(alice, "deploy from:bob") == [
        "deploy by bob in random",
        "deploy by bob in the lobby",
    ]
    assert found(alice, "deploy in:lobby") == [
        "deploy by bob in the lobby",
        "deploy by alice in the lobby",
    ]
    assert found(alice, "From:BOB in:#random") == ["deploy by bob in random"]


def test_an_unknown_user_or_room_gives_no_results_and_says_why(say, alice):
    say("deploy")

    nobody = search(alice, parse("deploy from:carol"))
    nowhere = search(alice, parse("deploy in:attic"))

    assert (nobody.hits, nobody.problem) == ([], "No user is named “carol”.")
    assert (nowhere.hits, nowhere.problem) == ([], "No room has the address “attic”.")


def test_a_private_room_is_unknown_to_in_for_those_outside_it(say, alice, bob, secret):
    say("deploy the secret", where=secret)

    for reader in [bob, AnonymousUser()]:
        results = search(reader, parse("in:secret"))
        assert (results.hits, results.problem) == ([], "No room has the address “secret”.")
    assert found(alice, "in:secret") == ["deploy the secret"]


def test_an_empty_query_asks_nothing_and_filters_alone_list_messages(say, alice, bob):
    say("first")
    say("second", author=bob)

    assert search(alice, parse("  ")).hits == []
    assert search(alice, parse("  ")).problem is None
    assert found(alice, "from:alice") == ["first"]
    assert found(alice, "in:lobby") == ["second", "first"]


def test_results_come_newest_first_a_page_at_a_time(say, alice):
    posted = [say(f"deploy number {n}").body for n in range(PAGE_SIZE * 2 + 5)]
    say("unrelated")
    newest_first = posted[::-1]

    first = search(alice, parse("deploy"))
    second = search(alice, parse("deploy"), before=first.older)
    last = search(alice, parse("deploy"), before=second.older)

    assert [hit.message.body for hit in first.hits] == newest_first[:PAGE_SIZE]
    assert [hit.message.body for hit in second.hits] == newest_first[PAGE_SIZE : 2 * PAGE_SIZE]
    assert [hit.message.body for hit in last.hits] == newest_first[2 * PAGE_SIZE :]
    assert last.older is None


def test_a_page_looks_through_a_bounded_window_and_older_results_go_past_it(
    say, alice, bob, monkeypatch
):
    monkeypatch.setattr(search_index, "WINDOW", 4)
    oldest_of_bob = say("deploy", author=bob)
    alices = [say(f"deploy {n}") for n in range(6)]
    newest_of_bob = say("deploy", author=bob)
    say("deploy 6")
    say("deploy 7")

    first = search(alice, parse("deploy from:bob"))
    second = search(alice, parse("deploy from:bob"), before=first.older)
    third = search(alice, parse("deploy from:bob"), before=second.older)

    assert ([h.message for h in first.hits], first.older) == ([newest_of_bob], alices[5].pk)
    assert ([h.message for h in second.hits], second.older) == ([], alices[1].pk)
    assert ([h.message for h in third.hits], third.older) == ([oldest_of_bob], None)


def test_each_result_links_to_its_message_in_its_room(say, alice):
    message = say("deploy")

    [hit] = search(alice, parse("deploy")).hits

    assert hit.link == f"/rooms/lobby/messages/{message.pk}/#message-{message.pk}"


def test_private_rooms_are_searched_for_their_members_only(say, alice, bob, secret):
    say("deploy in public")
    say("deploy in secret", where=secret)

    assert found(AnonymousUser(), "deploy") == ["deploy in public"]
    assert found(bob, "deploy") == ["deploy in public"]
    assert found(alice, "deploy") == ["deploy in secret", "deploy in public"]
    secret.members.remove(alice)
    assert found(alice, "deploy") == ["deploy in public"]


def test_an_edit_through_the_orm_is_found_and_the_old_text_is_not(say, alice):
    first, second = say("deploy today"), say("deploy tomorrow")

    Message.objects.filter(pk=first.pk).update(body="release today")
    second.body = "release tomorrow"
    second.save()

    assert found(alice, "deploy") == []
    assert found(alice, "release") == ["release tomorrow", "release today"]
    assert index_is_in_step()


def test_a_deletion_through_the_orm_leaves_nothing_in_the_index(say, alice, room):
    kept, deleted = say("deploy kept"), say("deploy deleted")
    random = Room.objects.create(name="Random", slug="random")
    say("deploy in a room deleted", where=random)

    deleted.delete()
    random.delete()

    assert found(alice, "deploy") == [kept.body]
    assert index_is_in_step()


@pytest.mark.django_db(transaction=True)
def test_the_index_stays_in_step_after_a_migration_rebuilds_the_messages_table(say, alice):
    # What a migration adding a field with a default does: SQLite copies the table anew.
    field = models.PositiveIntegerField(null=True, default=1)
    field.set_attributes_from_name("search_probe")
    field.model = Message
    message = say("deploy before the migration")
    with connection.schema_editor() as editor:
        editor.add_field(Message, field)
    try:
        emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)

        Message.objects.filter(pk=message.pk).update(body="release after the migration")
        say("deploy after the migration")

        assert found(alice, "release") == ["release after the migration"]
        assert found(alice, "deploy") == ["deploy after the migration"]
        assert index_is_in_step()
    finally:
        with connection.schema_editor() as editor:
            editor.remove_field(Message, field)
        emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)


QUERY_SYNTAX = [
    '"',
    "AND (",
    "NEAR(a b)",
    "*",
    "'",
    "\\",
    'a"b',
    "a'b",
    ":*",
    "!",
    "a & | b",
    "-deploy",
    "deploy*",
    "^deploy",
    "NOT deploy",
    "deploy OR",
    "(deploy",
    "{deploy}",
    "½",
    "deploy 🎉",
    "日本語",
    "x" * 200,
]


@pytest.mark.parametrize("text", QUERY_SYNTAX)
def test_query_syntax_typed_is_read_as_words(say, alice, text):
    say("deploy it")

    results = search(alice, parse(text))

    assert results.problem is None
    assert [hit.message.body for hit in results.hits] in ([], ["deploy it"])


@pytest.mark.parametrize("word", ['"', "'", "\\", "AND (", ":*", "a'b", 'a"b', "&|!", "*"])
def test_the_index_query_reads_any_word_as_text(say, word):
    message = say("deploy it")

    assert matching_ids([word, "deploy"], Room.objects.all(), limit=5).ids in ([], [message.pk])
