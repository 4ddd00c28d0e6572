"""Pages answer GET and HEAD (and the forms POST); OPTIONS, TRACE and the rest get a 405 that
says what is allowed, never the page. The history page says it varies with HX-Request."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.cache import has_vary_header

from rooms.posting import post_message

pytestmark = pytest.mark.django_db

# Every route that shows a page, with who asks for it; the walk below checks none is missed.
PAGES = {
    "rooms:index": ("/", None),
    "rooms:room": ("/rooms/lobby/", None),
    "rooms:history": ("/rooms/lobby/history/?before=5", None),
    "rooms:message": ("/rooms/lobby/messages/{message}/", None),
    "rooms:actions": ("/rooms/lobby/messages/{message}/actions/", None),
    "rooms:edit": ("/rooms/lobby/messages/{message}/edit/", "alice"),
    "rooms:viewer-css": ("/viewer.css", "alice"),
    "rooms:search": ("/search/?q=deploy", None),
    "login": ("/accounts/login/", None),
    "signup": ("/accounts/signup/", None),
    "password_change": ("/accounts/password_change/", "alice"),
    "password_change_done": ("/accounts/password_change/done/", "alice"),
    "rooms:mentions": ("/mentions/", "alice"),
    "profile": ("/accounts/profile/", "alice"),
}
# Routes whose GET leads elsewhere (here: a guest to the login page).
REDIRECTS = {"rooms:direct": ("/dm/alice/", None)}
# Routes that only take a POST: they show nothing.
POST_ONLY = {"rooms:post", "rooms:delete", "rooms:react", "logout"}
REFUSED = ["options", "trace", "put", "patch", "delete"]


def site_routes(patterns=None, namespace=""):
    """Names of the site's routes, the admin's left out."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver) and pattern.app_name != "admin":
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from site_routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}"


def test_every_page_route_is_walked():
    assert set(site_routes()) == PAGES.keys() | REDIRECTS.keys() | POST_ONLY


@pytest.fixture
def visit(client, alice, alice_client, room):
    message = post_message(room, alice, "one of alice's")

    def visit(route, method):
        path, who = (PAGES | REDIRECTS)[route]
        return getattr(alice_client if who else client, method)(path.format(message=message.pk))

    return visit


@pytest.mark.parametrize("route", PAGES | REDIRECTS)
@pytest.mark.parametrize("method", REFUSED)
def test_pages_refuse_other_methods_with_a_405(visit, route, method):
    response = visit(route, method)

    assert response.status_code == 405
    allowed = set(response["Allow"].split(", "))
    assert {"GET", "HEAD"} <= allowed <= {"GET", "HEAD", "POST"}
    assert b"<html" not in response.content


@pytest.mark.parametrize("route", PAGES)
def test_pages_answer_get_and_head(visit, route):
    assert visit(route, "get").status_code == 200
    assert visit(route, "head").status_code == 200


@pytest.mark.parametrize("route", REDIRECTS)
def test_redirecting_routes_answer_get_and_head(visit, route):
    assert visit(route, "get").status_code == 302
    assert visit(route, "head").status_code == 302


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}])
def test_the_history_page_varies_with_hx_request(client, room, headers):
    response = client.get("/rooms/lobby/history/?before=5", headers=headers)

    assert has_vary_header(response, "HX-Request")
