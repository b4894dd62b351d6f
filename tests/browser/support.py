"""What the browser tests share: viewports, answer sets, and the checks run on every page."""

import os
import re
import warnings
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

from patients.services import submission_draft, submission_submit
from tests.factories import PASSWORD, QUIET_FORM
from triage import rules

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS") or REPO_ROOT / "artifacts" / "screenshots")

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

QUESTIONNAIRE_URL = "/questionnaire/new/"
REVIEW_URL = "/questionnaire/new/review/"


def step_url(step: int) -> str:
    return f"/questionnaire/new/step/{step}/"


# Every always-visible question answered, nothing of concern.
QUIET = QUIET_FORM


def typed(answers: dict) -> dict:
    """Form values as the services store them: yes/no as booleans, numbers as integers."""
    converted = {}
    for name, value in answers.items():
        field = rules.FIELDS_BY_NAME.get(name)
        if field is not None and field.kind == rules.BOOL and value in ("yes", "no"):
            value = value == "yes"
        elif field is not None and field.kind == rules.INT and isinstance(value, str) and value.isdigit():
            value = int(value)
        converted[name] = value
    return converted


def submit_answers(patient, **answers):
    """A questionnaire sent and assessed through the services the form uses: QUIET plus `answers`."""
    draft = submission_draft(patient)
    return submission_submit(patient=patient, key=draft.key, answers=typed(QUIET) | answers)


BLOCKING_IMPACTS = {"serious", "critical"}
_axe = Axe()


def login(page, email, password=PASSWORD):
    """Log in through the real login form."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form [type=submit][name=login]")
    assert "/accounts/login/" not in page.url, f"login as {email} failed"


def logout(page):
    with page.expect_navigation():
        page.click("form[action$='/accounts/logout/'] [type=submit]")


def fill_answers(page, answers: dict):
    """Answer the questions of the step shown by their RULES.md names: radios by value, numbers and
    text by typing. Answers to questions of other steps, and to questions the branching hides as
    the earlier answers are given, are left out."""
    for name, value in answers.items():
        field = page.locator(f"#questionnaire [name={name}]").first
        if field.count() == 0 or field.is_disabled():
            continue
        if field.get_attribute("type") == "radio":
            page.check(f"#questionnaire input[name={name}][value='{value}']")
        else:
            field.fill(str(value))


def submit_questionnaire(page, action="next"):
    """Press one of the step's buttons: next, back or save."""
    with page.expect_navigation():
        page.click(f"#questionnaire button[name=action][value={action}]")


def answer_steps(page, answers: dict, *, steps=None):
    """From the step shown, answer each step and go on (Next), `steps` times or up to the review."""
    done = 0
    while page.locator("#questionnaire").count() and (steps is None or done < steps):
        fill_answers(page, answers)
        submit_questionnaire(page)
        assert page.locator("#form-errors").count() == 0, f"the step did not go on: {page.url}"
        done += 1


def send_questionnaire(page):
    """From the review page: Send."""
    assert page.url.endswith(REVIEW_URL), page.url
    with page.expect_navigation():
        page.click("#send-questionnaire button[name=action][value=submit]")


def normalized(text: str) -> str:
    return " ".join(text.split())


def assert_accessible(page, where: str = ""):
    """Run axe-core on the page as it is now: no serious or critical violation may remain."""
    results = _axe.run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe found {len(blocking)} serious/critical violation(s) on {where or page.url}:"]
        for violation in blocking:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.extend(f"    {node['target']}: {node['html'][:160]}" for node in violation["nodes"][:5])
        raise AssertionError("\n".join(lines))
    return results


def assert_no_sideways_scroll(page, where: str = ""):
    """The page itself never scrolls sideways (wide tables scroll inside their own wrapper)."""
    widths = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["scroll"] <= widths["inner"], (
        f"{where or page.url} scrolls sideways: {widths['scroll']}px of content in {widths['inner']}px"
    )


# Collects what the Content Security Policy blocks; added to every context before any page loads.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


class PageChecker:
    """Check pages as they are shown and collect every problem, so one run lists them all.

    For each page: axe-core (no serious or critical violation), no sideways scroll,
    nothing blocked by the Content Security Policy, and a screenshot.
    """

    def __init__(self, page, shot, suffix=""):
        self.page = page
        self.shot = shot
        self.suffix = suffix
        self.problems = []
        self.checked = []

    def visit(self, path):
        response = self._open(path)
        assert response is not None and response.status < 400, (
            f"{path} answered {response and response.status}"
        )
        self(path)

    def _open(self, path):
        """Open the page; reload it once, as she would, if the test server dropped a static file.

        Only a request that never got an answer counts (a status is checked, not retried), and
        the reload is reported in the run's warnings, so a server that keeps dropping shows.
        """
        failed = self.page.context.failed_static
        before = len(failed)
        response = self.page.goto(path)
        if len(failed) > before:
            warnings.warn(f"{path} reloaded: the test server dropped {failed[before:]}", stacklevel=3)
            del failed[before:]
            response = self.page.goto(path)
        return response

    def __call__(self, label):
        where = f"{label} [{self.page.evaluate('document.documentElement.lang')}{' ' + self.suffix if self.suffix else ''}]"
        for check in (
            assert_no_sideways_scroll,
            assert_accessible,
            assert_nothing_blocked,
            assert_static_loaded,
        ):
            try:
                check(self.page, where)
            except AssertionError as exc:
                self.problems.append(str(exc))
        name = re.sub(r"[^\w]+", "-", f"{label} {self.suffix}").strip("-") or "page"
        self.shot(self.page, name)
        self.checked.append(where)

    def assert_clean(self):
        assert self.checked, "no page was checked"
        assert not self.problems, "\n\n".join(self.problems)


def assert_nothing_blocked(page, where: str = ""):
    blocked = page.evaluate("window.__cspViolations || []")
    assert not blocked, f"{where or page.url}: the Content Security Policy blocked {sorted(set(blocked))}"


def assert_static_loaded(page, where: str = ""):
    """Every stylesheet, script and image the page asked for was found."""
    broken = getattr(page.context, "broken_static", []) + getattr(page.context, "failed_static", [])
    assert not broken, f"{where or page.url}: missing static files {sorted(set(broken))}"
