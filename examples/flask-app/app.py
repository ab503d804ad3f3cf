"""The seed's example Flask app: ``say_hello`` and ``app_info``, each request logged as a
structured event through python-logstash-async to Logstash (or logdash) on TCP 5000,
and as a JSON line on stdout for container log collectors. Every line logged while
serving a request carries its request id (``RequestIdFilter``), so a log tool can show a
request's lines together.

Every logging setting comes from the environment (see ``Settings``), so a deployment
changes it without touching the code. Run it with ``python app.py`` (port 5001).
"""

import datetime
import json
import logging
import os
import sys
import time
import uuid
from dataclasses import dataclass

from flask import Flask, g, has_request_context, jsonify, request
from logstash_async import constants
from logstash_async.formatter import LogstashEcsFormatter, LogstashFormatter
from logstash_async.handler import AsynchronousLogstashHandler
from markupsafe import escape

STARTED_AT = datetime.datetime.now(datetime.timezone.utc)


@dataclass
class Settings:
    """Configuration from environment variables; defaults fit logdash on this machine."""

    app_name: str = "flask-app"
    host: str = "127.0.0.1"
    port: int = 5001
    logstash_host: str = "localhost"
    logstash_port: int = 5000
    # "plain" (LogstashFormatter: extras under extra.*) or "ecs" (ECS field names)
    log_format: str = "plain"
    log_level: str = "INFO"
    # seconds between batches: python-logstash-async's default is 10 s, too slow for a live stream
    flush_interval: float = 1.0
    # a SQLite queue survives restarts; "" keeps the queue in memory (lost on SIGTERM)
    queue_path: str = "logstash-queue.db"
    log_stdout: bool = True
    user_header: str = "X-User-Id"
    # off: log to stdout only (the handler is kept but sends nothing)
    logstash_enabled: bool = True

    @classmethod
    def from_env(cls, env=None):
        env = os.environ if env is None else env
        base = cls()
        return cls(
            app_name=env.get("APP_NAME", base.app_name),
            host=env.get("HOST", base.host),
            port=int(env.get("PORT", base.port)),
            logstash_host=env.get("LOGSTASH_HOST", base.logstash_host),
            logstash_port=int(env.get("LOGSTASH_PORT", base.logstash_port)),
            log_format=env.get("LOG_FORMAT", base.log_format).lower(),
            log_level=env.get("LOG_LEVEL", base.log_level).upper(),
            flush_interval=float(env.get("LOGSTASH_FLUSH_INTERVAL", base.flush_interval)),
            queue_path=env.get("LOGSTASH_QUEUE_PATH", base.queue_path),
            log_stdout=env.get("LOG_STDOUT", "1") not in ("0", "false", "no"),
            user_header=env.get("USER_HEADER", base.user_header),
            logstash_enabled=env.get("LOGSTASH_ENABLED", "1") not in ("0", "false", "no"),
        )


class JsonLineFormatter(logging.Formatter):
    """One JSON object per line, times in ISO 8601 UTC, extras included."""

    RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}

    def format(self, record):
        event = {
            "@timestamp": datetime.datetime.fromtimestamp(record.created, datetime.timezone.utc)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        event.update({k: v for k, v in vars(record).items() if k not in self.RESERVED and not k.startswith("_")})
        return json.dumps(event, default=str)


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every line logged while serving it: ``request_id``
    (``extra.request_id`` once formatted), or ECS's ``http.request.id``."""

    def __init__(self, log_format):
        super().__init__()
        self.ecs = log_format == "ecs"

    def filter(self, record):
        request_id = g.get("request_id") if has_request_context() else None
        if request_id is None:
            return True
        if self.ecs:
            http = dict(getattr(record, "http", None) or {})
            http["request"] = {**http.get("request", {}), "id": request_id}
            record.http = http
        elif not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


def configure_logging(settings):
    """The app's logger: to Logstash (asynchronously, batched) and to stdout as JSON lines."""
    constants.QUEUED_EVENTS_FLUSH_INTERVAL = settings.flush_interval
    logger = logging.getLogger(settings.app_name)
    logger.setLevel(settings.log_level)
    logger.propagate = False
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    handler = AsynchronousLogstashHandler(
        settings.logstash_host,
        settings.logstash_port,
        database_path=settings.queue_path or None,
        enable=settings.logstash_enabled,
    )
    if settings.log_format == "ecs":
        # extra_prefix="" puts the app's ECS fields (user.id, event.duration, ...) at the top level
        handler.setFormatter(LogstashEcsFormatter(extra_prefix="", extra={"service": {"name": settings.app_name}}))
    else:
        handler.setFormatter(LogstashFormatter(extra={"application": settings.app_name}))
    logger.addHandler(handler)
    for old in list(logger.filters):
        logger.removeFilter(old)
    logger.addFilter(RequestIdFilter(settings.log_format))
    if settings.log_stdout:
        stdout = logging.StreamHandler(sys.stdout)
        stdout.setFormatter(JsonLineFormatter())
        logger.addHandler(stdout)
    return logger


def request_fields(settings, status, elapsed_ms, user, request_id):
    """What one request's event carries, named for the chosen format."""
    if settings.log_format == "ecs":
        return {
            "http": {"request": {"method": request.method, "id": request_id}, "response": {"status_code": status}},
            "url": {"path": request.path},
            "user": {"id": user},
            "client": {"ip": request.remote_addr},
            "event": {"duration": int(elapsed_ms * 1_000_000)},
        }
    return {
        "method": request.method,
        "url_path": request.path,
        "status_code": status,
        "response_time_ms": round(elapsed_ms, 2),
        "user_id": user,
        "request_id": request_id,
        "client_ip": request.remote_addr,
    }


def current_user(settings):
    """Who made the request: the X-User-Id header, else the user_id cookie, else the
    name in /hello/<name>, else the client's address."""
    return (
        request.headers.get(settings.user_header)
        or request.cookies.get("user_id")
        or (request.view_args or {}).get("name")
        or request.remote_addr
    )


def create_app(test_config=None, settings=None):
    """The app factory (as in Flask's tutorial); ``test_config`` overrides Flask settings."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.from_mapping(SETTINGS=settings)
    if test_config:
        app.config.update(test_config)
    logger = configure_logging(settings)
    app.extensions["request_logger"] = logger

    @app.before_request
    def start_timer():
        g.started = time.perf_counter()
        g.request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex

    @app.after_request
    def log_request(response):
        elapsed_ms = (time.perf_counter() - g.started) * 1000
        user = current_user(settings)
        level = logging.ERROR if response.status_code >= 500 else logging.WARNING if response.status_code >= 400 else logging.INFO
        logger.log(
            level,
            "%s %s %s %.2fms",
            request.method,
            request.path,
            response.status_code,
            elapsed_ms,
            extra=request_fields(settings, response.status_code, elapsed_ms, user, g.request_id),
        )
        response.headers["X-Request-Id"] = g.request_id
        return response

    @app.route("/")
    @app.route("/info")
    def app_info():
        """The app's current status."""
        now = datetime.datetime.now(datetime.timezone.utc)
        return jsonify(
            status="ok",
            app=settings.app_name,
            started_at=STARTED_AT.isoformat(timespec="seconds").replace("+00:00", "Z"),
            uptime_seconds=round((now - STARTED_AT).total_seconds(), 1),
            logging={"logstash": f"{settings.logstash_host}:{settings.logstash_port}", "format": settings.log_format},
        )

    @app.route("/hello/<name>")
    def say_hello(name):
        """A greeting; the name is escaped (it is user input)."""
        logger.info("greeting %s", name)
        return f"Hello, {escape(name)}!\n"

    return app


if __name__ == "__main__":
    settings = Settings.from_env()
    create_app(settings=settings).run(host=settings.host, port=settings.port)
