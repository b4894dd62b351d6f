"""gunicorn settings, read from the working directory by `gunicorn clinic.wsgi`.

The access log keeps the path without its query string and without the referrer:
worklist searches and filters travel in query strings (a patient's name, a flag),
and no name, email, search term or flag may reach a log line (docs/security.md, "Logs").
"""

accesslog = "-"
# Like gunicorn's default, with %(U)s (the path alone) for %(r)s (the request line with its query)
# and without %(f)s (the referrer, which carries the previous page's query).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'
