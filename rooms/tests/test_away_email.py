"""Away emails: a user mentioned or written to directly, with no page open, gets one email per
window listing what they have not read; none if they read it meanwhile or silenced the room;
and with several processes each email is sent once."""

import asyncio
import urllib.request
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.utils import timezone

from rooms import away_email
from rooms.away_email import claim, send_due_emails
from rooms.direct import direct_room
from rooms.models import Presence, Profile, Subscription
from rooms.posting import post_message
from rooms.tests.test_scale_out import eventually

pytestmark = pytest.mark.django_db(transaction=True)

USERS_AT_ONCE = 40


@pytest.fixture
def bob(make_user):
    user = make_user("bob")
    user.email = "bob@example.com"
    user.save()
    return user


@pytest.fixture(autouse=True)
def delay(settings, unlimited_posting):
    settings.NOTIFY_AFTER_SECONDS = 600


def time_passes():
    """The delay runs out for every email due."""
    Profile.objects.exclude(email_due_at=None).update(
        email_due_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_mention_is_emailed_once_after_the_delay_with_everything_missed(
    room, alice, bob, mailoutbox
):
    post_message(room, alice, "@bob first question")
    post_message(room, alice, "@bob second question")
    post_message(room, alice, "not about bob")

    assert send_due_emails() == 0  # not yet
    time_passes()
    assert send_due_emails() == 1
    time_passes()
    assert send_due_emails() == 0

    [email] = mailoutbox
    assert email.to == ["bob@example.com"]
    assert email.subject == "You missed 2 messages on Socico"
    assert "first question" in email.body
    assert "second question" in email.body
    assert "not about bob" not in email.body


def test_the_next_window_lists_only_what_came_after_the_last_email(room, alice, bob, mailoutbox):
    post_message(room, alice, "@bob first")
    time_passes()
    send_due_emails()

    post_message(room, alice, "@bob later")
    time_passes()
    send_due_emails()

    assert len(mailoutbox) == 2
    assert "later" in mailoutbox[1].body
    assert "first" not in mailoutbox[1].body


def test_nothing_is_sent_if_the_user_read_it_meanwhile(room, alice, bob, mailoutbox):
    post_message(room, alice, "@bob are you there?")
    client = Client()
    client.force_login(bob)
    client.get("/rooms/lobby/")

    time_passes()

    assert send_due_emails() == 0
    assert mailoutbox == []


def test_a_user_with_a_page_open_is_asked_again_later(room, alice, bob, mailoutbox):
    post_message(room, alice, "@bob hello")
    Presence.objects.create(socket_name="a", room=room, user=bob, seen_at=timezone.now())

    time_passes()

    assert send_due_emails() == 0
    assert Profile.objects.get(user=bob).email_due_at > timezone.now()
    Presence.objects.all().delete()
    time_passes()
    assert send_due_emails() == 1


def test_a_direct_message_is_emailed(alice, bob, mailoutbox):
    post_message(direct_room(alice, bob), alice, "just for you")

    time_passes()
    send_due_emails()

    [email] = mailoutbox
    assert "alice wrote to you" in email.body
    assert "just for you" in email.body


def test_a_silenced_room_sends_nothing(room, alice, bob, mailoutbox):
    Subscription.objects.create(user=bob, room=room, level=Subscription.NOTHING)
    post_message(room, alice, "@bob muted")

    time_passes()

    assert send_due_emails() == 0
    assert mailoutbox == []


def test_a_user_without_an_email_address_gets_none(room, alice, make_user, mailoutbox):
    make_user("carol")
    post_message(room, alice, "@carol hi")

    time_passes()

    assert send_due_emails() == 0
    assert mailoutbox == []


def test_only_one_claim_of_a_due_email_wins(room, alice, bob):
    post_message(room, alice, "@bob hi")
    first, second = Profile.objects.get(user=bob), Profile.objects.get(user=bob)

    assert claim(first) is True
    assert claim(second) is False


@pytest.fixture
def readers(make_user):
    """Users with an email address each."""
    names = [f"reader{n}" for n in range(USERS_AT_ONCE)]
    for name in names:
        user = make_user(name)
        user.email = f"{name}@example.com"
        user.save()
    return names


async def test_two_processes_send_each_due_email_once(start_server, room, alice, readers, settings):
    settings.NOTIFY_AFTER_SECONDS = 0.5  # for the post, made here
    env = {"SOCICO_NOTIFY_AFTER": "0.5", "SOCICO_NOTIFY_SWEEP_SECONDS": "0.05"}
    servers = [start_server(**env), start_server(**env)]
    for server in servers:  # each process's sweep starts with its first request
        await sync_to_async(urllib.request.urlopen)(f"{server.url}/", timeout=10)

    # Many at once, so that both processes' sweeps find them due together.
    await sync_to_async(post_message)(room, alice, " ".join(f"@{name}" for name in readers))

    async def emails():
        return sum(server.log_path.read_text().count("Subject: You missed") for server in servers)

    async def all_sent():
        return await emails() >= USERS_AT_ONCE

    await eventually(all_sent, within=30, what="the emails")
    await asyncio.sleep(1)  # twenty more sweeps by each process
    assert await emails() == USERS_AT_ONCE


def test_an_email_whose_sender_died_is_sent_by_a_later_sweep_once(
    room, alice, bob, mailoutbox, monkeypatch
):
    post_message(room, alice, "@bob are you there?")
    time_passes()

    def dies(**email):
        raise SystemExit("the process died while sending")

    monkeypatch.setattr(away_email, "send_mail", dies)
    with pytest.raises(SystemExit):
        send_due_emails()
    monkeypatch.undo()
    assert send_due_emails() == 0, "claimed: not before its lease runs out"

    time_passes()  # the lease runs out

    assert send_due_emails() == 1
    time_passes()
    assert send_due_emails() == 0
    [email] = mailoutbox
    assert "are you there?" in email.body


def test_a_mention_while_an_email_is_being_sent_makes_the_next_one_due(
    room, alice, bob, mailoutbox, monkeypatch
):
    post_message(room, alice, "@bob first")
    time_passes()
    sent = away_email.send_mail

    def meanwhile(**email):
        post_message(room, alice, "@bob while sending")
        sent(**email)

    monkeypatch.setattr(away_email, "send_mail", meanwhile)
    assert send_due_emails() == 1
    monkeypatch.undo()
    time_passes()
    assert send_due_emails() == 1

    assert ["while sending" in email.body for email in mailoutbox] == [False, True]


def test_a_name_in_code_sends_no_email(room, alice, bob, mailoutbox):
    post_message(room, alice, "run `ssh @bob` first\n\n```\n@bob\n```")

    time_passes()

    assert send_due_emails() == 0
    assert mailoutbox == []
