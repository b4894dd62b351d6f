"""The checks run on every page catch what they are there for: a static file the server never
answered is named as such, and a single dropped answer is retried once, as she would reload."""

import pytest

from .support import PageChecker

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {"width": 320, "height": 568}
STYLESHEET = "**/static/css/clinic.css"


def checked_signup(context):
    check = PageChecker(context.new_page(), lambda *args, **kwargs: None, suffix="phone")
    check.visit("/accounts/signup/")
    return check


def test_a_stylesheet_never_answered_is_named_with_the_reason(new_context):
    context = new_context(viewport=SMALL_PHONE)
    context.route(STYLESHEET, lambda route: route.abort("connectionreset"))

    with pytest.warns(UserWarning, match="reloaded"):
        check = checked_signup(context)

    problems = "\n".join(check.problems)
    assert "missing static files ['net::ERR_CONNECTION_RESET http" in problems
    assert "/static/css/clinic.css" in problems
    # Without its stylesheet the page falls back on Bootstrap's own icons, which the policy blocks.
    assert "the Content Security Policy blocked ['img-src data']" in problems


def test_one_dropped_answer_is_retried_once_and_leaves_the_page_clean(new_context):
    context = new_context(viewport=SMALL_PHONE)
    answered = []

    def drop_the_first(route):
        answered.append(route.request.url)
        if len(answered) == 1:
            route.abort("connectionreset")
        else:
            route.continue_()

    context.route(STYLESHEET, drop_the_first)

    with pytest.warns(UserWarning, match=r"/accounts/signup/ reloaded: .*ERR_CONNECTION_RESET"):
        check = checked_signup(context)

    assert len(answered) == 2
    assert check.problems == []
