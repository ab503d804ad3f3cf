import datetime
import json
import logging

from app import JsonLineFormatter, Settings, create_app


def test_app_info_reports_status(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["app"] == "flask-app"
    assert body["started_at"].endswith("Z")
    assert client.get("/info").get_json()["status"] == "ok"


def test_say_hello_greets_and_escapes(client):
    assert client.get("/hello/Natalia").get_data(as_text=True) == "Hello, Natalia!\n"
    assert "<script>" not in client.get("/hello/<script>x").get_data(as_text=True)


def test_each_request_is_one_structured_event(client, records):
    client.get("/hello/Natalia", headers={"X-User-Id": "u-42"})
    record = records[-1]
    assert record.levelno == logging.INFO
    assert record.method == "GET" and record.url_path == "/hello/Natalia" and record.status_code == 200
    assert record.user_id == "u-42" and record.response_time_ms >= 0 and len(record.request_id) == 32


def test_every_line_of_a_request_carries_its_id(client, records):
    response = client.get("/hello/Ada", headers={"X-Request-Id": "req-7"})
    assert [r.getMessage() for r in records] == ["greeting Ada", "GET /hello/Ada 200 %.2fms" % records[-1].response_time_ms]
    assert [r.request_id for r in records] == ["req-7", "req-7"]
    assert response.headers["X-Request-Id"] == "req-7"
    client.get("/")
    assert records[-1].request_id != "req-7" and len(records[-1].request_id) == 32


def test_user_identity_falls_back_to_cookie_then_name(client, records):
    client.set_cookie("user_id", "from-cookie")
    client.get("/")
    client.delete_cookie("user_id")
    client.get("/hello/N")
    assert [r.user_id for r in records if hasattr(r, "user_id")] == ["from-cookie", "N"]


def test_errors_log_at_error_level(client, records, app):
    @app.route("/boom")
    def boom():
        return "no", 503

    client.get("/boom")
    assert records[-1].levelno == logging.ERROR and records[-1].status_code == 503


def test_every_logging_setting_comes_from_the_environment():
    env = {"APP_NAME": "shop", "LOGSTASH_HOST": "logstash", "LOGSTASH_PORT": "5044", "LOG_FORMAT": "ECS",
           "LOG_LEVEL": "warning", "LOGSTASH_FLUSH_INTERVAL": "0.5", "LOGSTASH_QUEUE_PATH": "", "LOG_STDOUT": "0", "PORT": "8000", "LOGSTASH_ENABLED": "0"}
    settings = Settings.from_env(env)
    assert (settings.app_name, settings.logstash_host, settings.logstash_port) == ("shop", "logstash", 5044)
    assert (settings.log_format, settings.log_level, settings.flush_interval) == ("ecs", "WARNING", 0.5)
    assert settings.queue_path == "" and settings.log_stdout is False and settings.port == 8000
    assert settings.logstash_enabled is False


def test_ecs_format_names_fields_the_ecs_way():
    app = create_app({"TESTING": True}, settings=Settings(logstash_enabled=False, queue_path="", log_stdout=False, log_format="ecs"))
    captured = []
    handler = logging.Handler()
    handler.emit = captured.append
    app.extensions["request_logger"].addHandler(handler)
    app.test_client().get("/hello/Ada")
    greeting, record = captured
    assert getattr(record, "user")["id"] == "Ada"
    assert getattr(record, "http")["response"]["status_code"] == 200
    assert getattr(record, "event")["duration"] >= 0
    # the greeting logged while serving it carries the request's id too
    assert getattr(greeting, "http")["request"]["id"] == getattr(record, "http")["request"]["id"]
    assert len(getattr(record, "http")["request"]["id"]) == 32


def test_stdout_lines_are_json_with_iso_utc_times():
    record = logging.LogRecord("flask-app", logging.INFO, "app.py", 1, "GET / 200", None, None)
    record.user_id = "u1"
    line = json.loads(JsonLineFormatter().format(record))
    assert line["@timestamp"].endswith("Z")
    datetime.datetime.fromisoformat(line["@timestamp"].replace("Z", "+00:00"))
    assert line["message"] == "GET / 200" and line["user_id"] == "u1"
