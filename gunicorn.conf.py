"""gunicorn settings, read from the working directory by `gunicorn clinic.wsgi`.

Everything an operator sets per server comes from the environment (deploy/clinic.env):

- `GUNICORN_BIND`: address and port, default 127.0.0.1:8000 (nginx in front, deploy/nginx/).
- `GUNICORN_WORKERS`: sync worker processes, default one per core (the pages are CPU-bound:
  more workers than cores only add switching, docs/performance.md "Worker model").
- `GUNICORN_TIMEOUT`, `GUNICORN_GRACEFUL_TIMEOUT`: seconds before a stuck worker is killed, and
  how long a restart or a stop lets requests in flight finish.
- `GUNICORN_MAX_REQUESTS`, `GUNICORN_MAX_REQUESTS_JITTER`: a worker is replaced after about this
  many requests, at a random point within the jitter, so that workers never restart all at once.

The access log keeps the path without its query string and without the referrer:
worklist searches and filters travel in query strings (a patient's name, a flag),
and no name, email, search term or flag may reach a log line (docs/security.md, "Logs").
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND", "").strip() or "127.0.0.1:8000"
workers = _int("GUNICORN_WORKERS", 0) or os.cpu_count() or 1
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# nginx sends X-Forwarded-Proto from the same machine; Django reads it (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# No control socket (gunicornc) in the service account's home: systemd's signals manage the server,
# and two servers on one machine would share the socket's path.
control_socket_disable = True

accesslog = "-"
if os.environ.get("DJANGO_LOG_FORMAT", "").strip().lower() == "json":
    # One JSON object a line, like the portal's own log lines (clinic.logging). The path alone
    # (%(U)s, percent-encoded by the client) and the request id nginx sent.
    access_log_format = (
        '{"time": "%(t)s", "logger": "gunicorn.access", "remote": "%(h)s", "method": "%(m)s", '
        '"path": "%(U)s", "status": "%(s)s", "bytes": "%(B)s", "duration_us": "%(D)s", '
        '"request_id": "%({x-request-id}i)s"}'
    )
else:
    # Like gunicorn's default, with %(U)s (the path alone) for %(r)s (the request line with its query)
    # and without %(f)s (the referrer, which carries the previous page's query).
    access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'


def child_exit(server, worker):
    """Forget a finished worker's metrics files (Prometheus multiprocess mode, clinic.metrics)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
