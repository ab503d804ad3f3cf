//! Events as python-logstash-async's `LogstashFormatter` sends the example Flask app's
//! request logs: what the demo traffic, the benchmarks and the tests send.

use serde_json::{json, Value};

use crate::time::format_iso8601;

/// What the example app logs about one request (its `extra`).
pub struct RequestFields<'a> {
    pub method: &'a str,
    pub url_path: &'a str,
    pub status_code: u16,
    pub response_time_ms: f64,
    pub user_id: &'a str,
    pub request_id: &'a str,
    pub client_ip: &'a str,
}

/// One request event, in the shape python-logstash-async 4.1's `LogstashFormatter` gives the
/// example app's `logger.info(..., extra={...})` (field for field; see examples/flask-app).
pub fn request_event(
    at: i64,
    level: &str,
    message: &str,
    func: &str,
    fields: &RequestFields<'_>,
) -> Value {
    app_event(
        at,
        (level, message, func),
        json!({
            "method": fields.method,
            "url_path": fields.url_path,
            "status_code": fields.status_code,
            "response_time_ms": fields.response_time_ms,
            "user_id": fields.user_id,
            "request_id": fields.request_id,
            "client_ip": fields.client_ip,
        }),
    )
}

/// Another line the example app logs while serving a request (a greeting; a failure with
/// `logger.exception`, its traceback in `extra.stack_trace`): the request's id in `extra`,
/// with `more` (an object) beside it.
pub fn request_line(
    at: i64,
    (level, message, func): (&str, &str, &str),
    request_id: &str,
    more: Value,
) -> Value {
    let mut extra = more;
    extra["request_id"] = json!(request_id);
    app_event(at, (level, message, func), extra)
}

/// The formatter's envelope around `extra` (an object), with the fields it adds itself.
fn app_event(at: i64, (level, message, func): (&str, &str, &str), extra: Value) -> Value {
    let mut event = json!({
        "@timestamp": format_iso8601(at),
        "@version": "1",
        "host": "demo-host",
        "level": level,
        "logsource": "demo-host",
        "message": message,
        "pid": 4242,
        "program": "app.py",
        "type": "python-logstash",
        "extra": {
            "func_name": func,
            "interpreter": "/usr/local/bin/python3",
            "interpreter_version": "3.11.7",
            "line": 57,
            "logger_name": "flask-app",
            "logstash_async_version": "4.1.0",
            "path": "/app/app.py",
            "process_name": "MainProcess",
            "thread_name": "Thread-1",
            "application": "flask-app"
        }
    });
    if let (Some(all), Value::Object(own)) = (event["extra"].as_object_mut(), extra) {
        all.extend(own);
    }
    event
}
