"""The profile page and sign-up: an optional email address, and what each room sends."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from rooms.models import Room, Subscription


@pytest.fixture
def bob_client(bob):
    client = Client()
    client.force_login(bob)
    return client


def test_sign_up_takes_an_optional_email(client, room):
    password = "correct horse battery"
    data = {"username": "dora", "password1": password, "password2": password}

    client.post("/accounts/signup/", data | {"email": "dora@example.com"})
    Client().post("/accounts/signup/", data | {"username": "erin"})
    emails = dict(get_user_model().objects.values_list("username", "email"))
    assert emails == {"dora": "dora@example.com", "erin": ""}


def test_the_profile_sets_the_email_and_a_level_per_room(room, bob, bob_client):
    dev = Room.objects.create(name="Dev", slug="dev")
    page = bob_client.get("/accounts/profile/").text
    assert f'name="level-{dev.pk}"' in page

    response = bob_client.post(
        "/accounts/profile/",
        {
            "email": "bob@example.com",
            "time_zone": "UTC",
            f"level-{room.pk}": "all",
            f"level-{dev.pk}": "none",
        },
    )

    assert response.status_code == 302
    assert "Saved." in bob_client.get(response["Location"]).text
    bob.refresh_from_db()
    assert bob.email == "bob@example.com"
    assert Subscription.objects.get(user=bob, room=dev).level == Subscription.NOTHING


def test_a_bad_email_or_level_is_refused_with_the_reason(room, bob, bob_client):
    response = bob_client.post(
        "/accounts/profile/", {"email": "not an address", f"level-{room.pk}": "loud"}
    )

    assert response.status_code == 200
    assert "Enter a valid email address." in response.text
    assert "Select a valid choice. loud is not one of the available choices." in response.text
    assert not Subscription.objects.exists()


def test_guests_are_asked_to_log_in(client, db):
    assert client.get("/accounts/profile/")["Location"].startswith("/accounts/login/")
