"""Worklist searches carried from page to page by a short reference, never as text in a URL.

A name typed in the worklist's search box would otherwise be copied into
every case link, the export link and the pagination links, and from there
into browser history and proxies. The text stays in the doctor's session;
links carry `search=<ref>`, a random reference that means nothing outside it.
"""

import secrets

from django.http import QueryDict

SESSION_KEY = "triage_searches"
# A doctor's recent searches are enough: an old link's search is then simply dropped.
KEEP = 20
SEARCH = "search"
QUERY = "q"


def search_ref(session, text: str) -> str:
    """The reference of a search text in this session, created on first use."""
    stored = session.get(SESSION_KEY, {})
    for ref, known in stored.items():
        if known == text:
            return ref
    ref = secrets.token_urlsafe(6)
    recent = dict(list(stored.items())[-(KEEP - 1) :])
    recent[ref] = text
    session[SESSION_KEY] = recent
    return ref


def worklist_query(request) -> QueryDict:
    """The request's worklist parameters, with a `search` reference turned back into its text."""
    query = request.GET
    if SEARCH in query and QUERY not in query:
        query = query.copy()
        query[QUERY] = request.session.get(SESSION_KEY, {}).get(query.pop(SEARCH)[-1], "")
    return query
