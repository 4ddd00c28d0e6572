"""The account pages Socico routes: log in, log out, sign up and a password change, all in
the product's look; none of django.contrib.auth's password reset."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another long, unusual passphrase"
PRODUCT_LOOK = '<a href="/" class="text-lg font-semibold tracking-tight text-indigo-600">Socico</a>'


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/MQ/set-password/",
        "/accounts/reset/MQ/abc-123/",
        "/accounts/reset/done/",
    ],
)
def test_password_reset_pages_do_not_exist(alice_client, client, path):
    assert client.get(path).status_code == 404
    assert client.post(path, {"email": "alice@example.com"}).status_code == 404
    assert alice_client.get(path).status_code == 404


def test_the_header_links_a_signed_in_user_to_the_password_change(alice_client, client):
    assert 'href="/accounts/password_change/"' in alice_client.get("/").text
    assert 'href="/accounts/password_change/"' not in client.get("/").text


def test_the_password_change_asks_anonymous_visitors_to_log_in(client):
    response = client.get("/accounts/password_change/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/password_change/"


def test_the_password_change_page_has_the_products_look(alice_client):
    page = alice_client.get("/accounts/password_change/").text

    assert PRODUCT_LOOK in page
    assert "Change your password" in page
    assert 'name="old_password"' in page
    assert "Django administration" not in page


def test_changing_the_password_keeps_the_session_and_replaces_the_password(alice, alice_client):
    response = alice_client.post(
        "/accounts/password_change/",
        {
            "old_password": "correct horse battery",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )

    assert response.redirect_chain == [("/accounts/password_change/done/", 302)]
    assert PRODUCT_LOOK in response.text
    assert "Password changed" in response.text
    assert "Signed in as" in alice_client.get("/").text
    alice = get_user_model().objects.get(pk=alice.pk)
    assert alice.check_password(NEW_PASSWORD)
    assert not alice.check_password("correct horse battery")


def test_a_wrong_old_password_is_refused_on_the_page(alice, alice_client):
    response = alice_client.post(
        "/accounts/password_change/",
        {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert PRODUCT_LOOK in response.text
    assert "Your old password was entered incorrectly" in response.text
    assert get_user_model().objects.get(pk=alice.pk).check_password("correct horse battery")


def test_the_admins_own_password_change_keeps_the_admins_look(alice):
    alice.is_staff = True
    alice.save()
    client = Client()
    client.force_login(alice)

    page = client.get("/admin/password_change/").text

    assert "Django administration" in page
    assert PRODUCT_LOOK not in page
