"""Abuse limits: post rate (one limiter for socket and form), frame floods, sockets per user,
sign-ups per address, failed logins."""

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client

from rooms.consumers import CLOSE_POLICY_VIOLATION, CLOSE_TOO_MANY_SOCKETS
from rooms.models import Message
from rooms.tests.frames import htmx_frame, receive_frames

pytestmark = pytest.mark.django_db(transaction=True)


async def next_composer(socket):
    """The composer the socket answers with, passing over broadcasts."""
    while 'id="composer"' not in (frame := (await receive_frames(socket, 1))[0]):
        pass
    return frame


async def test_one_post_limit_counts_socket_and_form_posts_together(
    connect, room, alice, alice_client, settings, clock
):
    settings.POST_RATE = (3, 10)
    socket = await connect(user=alice)
    for n in range(2):
        await socket.send_json_to(htmx_frame(body=f"socket {n}"))
        await receive_frames(socket, 2)
    form_post = await sync_to_async(alice_client.post)("/rooms/lobby/messages/", {"body": "form"})
    assert form_post.status_code == 303
    # Through Redis the form post's broadcast may come late: take it before going on.
    assert ">form</div>" in "".join(await receive_frames(socket, 1))

    await socket.send_json_to(htmx_frame(body="one too many"))

    composer = await next_composer(socket)
    assert "Slow down: try again in 10 s." in composer
    assert "one too many" in composer, "what was typed is kept"
    refused = await sync_to_async(alice_client.post)("/rooms/lobby/messages/", {"body": "also"})
    assert refused.status_code == 429
    assert "Slow down: try again in 10 s." in refused.text
    assert await Message.objects.acount() == 3

    clock.now += 10
    await socket.send_json_to(htmx_frame(body="after the window"))

    assert "after the window" in "".join(await receive_frames(socket, 2))
    assert await Message.objects.acount() == 4


async def test_the_limit_is_per_user(connect, room, alice, bob, settings, clock):
    settings.POST_RATE = (1, 10)
    alice_socket = await connect(user=alice)
    bob_socket = await connect(user=bob)
    await alice_socket.send_json_to(htmx_frame(body="alice's one"))
    await receive_frames(alice_socket, 2)

    await bob_socket.send_json_to(htmx_frame(body="bob's one"))

    assert "composer-error" not in await next_composer(bob_socket)
    assert await Message.objects.filter(author=bob).aexists()


def test_an_htmx_form_post_over_the_limit_gets_the_composer_with_the_error(
    room, alice_client, settings, clock
):
    settings.POST_RATE = (1, 10)
    alice_client.post("/rooms/lobby/messages/", {"body": "first"}, headers={"HX-Request": "true"})

    response = alice_client.post(
        "/rooms/lobby/messages/", {"body": "second"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 429
    assert 'id="composer"' in response.text
    assert "Slow down" in response.text
    assert Message.objects.count() == 1


async def test_a_socket_flooding_frames_is_closed_and_the_room_goes_on(
    connect, room, alice, bob, settings
):
    settings.FRAME_RATE = (5, 60)
    flooder = await connect(user=alice, resume=False)  # every frame counts
    reader = await connect(user=bob)

    for _ in range(6):
        await flooder.send_to(text_data="not json")
    outputs = [await flooder.receive_output() for _ in range(7)]

    assert "Too many frames" in outputs[-2]["text"]
    assert outputs[-1] == {
        "type": "websocket.close",
        "code": CLOSE_POLICY_VIOLATION,
        "reason": "Too many frames: this connection was closed. Reload the page.",
    }
    await reader.send_json_to(htmx_frame(body="the room goes on"))
    assert "the room goes on" in "".join(await receive_frames(reader, 2))


async def test_a_user_with_too_many_sockets_is_refused_another(connect, room, alice, settings):
    settings.MAX_SOCKETS_PER_USER = 2
    await connect(user=alice)
    await connect(user=alice)

    third = await connect(user=alice)

    assert "too many pages open" in await third.receive_from()
    closed = await third.receive_output()
    assert closed["type"] == "websocket.close"
    assert closed["code"] == CLOSE_TOO_MANY_SOCKETS


def sign_up(client, username):
    password = "a long, unusual passphrase"
    return client.post(
        "/accounts/signup/",
        {"username": username, "password1": password, "password2": password},
    )


def test_sign_ups_from_one_address_are_limited(db, settings, clock):
    settings.SIGNUP_RATE = (2, 3600)
    assert sign_up(Client(), "first").status_code == 302
    assert sign_up(Client(), "second").status_code == 302

    response = sign_up(Client(), "third")

    assert response.status_code == 429
    assert "Too many new accounts from your address" in response.text
    assert not get_user_model().objects.filter(username="third").exists()


def test_repeated_failed_logins_lock_the_username_at_that_address(alice):
    client = Client()
    for _ in range(4):
        failed = client.post("/accounts/login/", {"username": "alice", "password": "guess"})
        assert failed.status_code == 200
    fifth = client.post("/accounts/login/", {"username": "alice", "password": "guess"})
    assert fifth.status_code == 429

    locked = client.post(
        "/accounts/login/", {"username": "alice", "password": "correct horse battery"}
    )

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text
    assert "_auth_user_id" not in client.session
