"""Sign-up attempts are counted per address, whatever their outcome, so that "already
exists" cannot be asked about one name after another."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db

TAKEN = "A user with that username already exists."


def sign_up(username, address="203.0.113.7"):
    password = "a long, unusual passphrase"
    return Client(REMOTE_ADDR=address).post(
        "/accounts/signup/",
        {"username": username, "password1": password, "password2": password},
    )


def test_attempts_with_taken_names_are_counted_until_the_address_is_refused(alice, settings):
    settings.SIGNUP_ATTEMPT_RATE = (3, 3600)
    for _ in range(3):
        answer = sign_up("alice")
        assert answer.status_code == 200
        assert TAKEN in answer.text

    refused = sign_up("alice")

    assert refused.status_code == 429
    assert "Too many sign-up attempts from your address. Slow down: try again in" in refused.text
    assert TAKEN not in refused.text, "a refused attempt must not say whether the name is taken"
    assert 'value="alice"' in refused.text, "what was typed is kept"


def test_a_refused_address_creates_no_account_even_with_a_free_name(settings):
    settings.SIGNUP_ATTEMPT_RATE = (1, 3600)
    assert sign_up("carol").status_code == 302

    refused = sign_up("dave")

    assert refused.status_code == 429
    assert not get_user_model().objects.filter(username="dave").exists()


def test_attempts_are_counted_per_address(alice, settings):
    settings.SIGNUP_ATTEMPT_RATE = (1, 3600)
    assert sign_up("alice", address="203.0.113.7").status_code == 200

    assert sign_up("alice", address="203.0.113.7").status_code == 429
    assert sign_up("carol", address="198.51.100.9").status_code == 302


def test_typos_are_within_the_default_attempt_rate(alice, settings):
    count, seconds = settings.SIGNUP_ATTEMPT_RATE
    assert (count, seconds) == (20, 3600)
    for _ in range(count - 1):
        assert sign_up("alice").status_code == 200

    assert sign_up("carol").status_code == 302
