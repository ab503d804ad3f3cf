import logging

import pytest

from app import Settings, create_app


class Captured(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def settings():
    # the Logstash handler is exercised end to end against logdash (tests/tests/seed.rs)
    return Settings(logstash_enabled=False, queue_path="", log_stdout=False)


@pytest.fixture
def app(settings):
    app = create_app({"TESTING": True}, settings=settings)
    yield app
    for handler in app.extensions["request_logger"].handlers:
        handler.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def records(app):
    captured = Captured()
    app.extensions["request_logger"].addHandler(captured)
    return captured.records
