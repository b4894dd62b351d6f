"""What a page must not contain to work under the Content Security Policy."""

from html.parser import HTMLParser


class _InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name.lower(): value for name, value in attrs}
        if tag == "script" and not names.get("src"):
            self.problems.append("inline <script>")
        if tag == "script" and names.get("src", "").startswith(("http:", "https:", "//")):
            self.problems.append(f"third-party script {names['src']}")
        if tag == "link" and (names.get("href") or "").startswith(("http:", "https:", "//")):
            self.problems.append(f"third-party stylesheet {names['href']}")
        if tag == "style":
            self.problems.append("inline <style>")
        if "style" in names:
            self.problems.append(f"style attribute on <{tag}>")
        for name in names:
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
        for name in ("href", "src", "action", "formaction"):
            if (names.get(name) or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")


def csp_violations(html: str) -> list[str]:
    """Inline script, inline style, event handlers and third-party assets found in `html`."""
    finder = _InlineFinder()
    finder.feed(html)
    return finder.problems
