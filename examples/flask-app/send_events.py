"""Sends log events through the real python-logstash-async handler (used by logdash's
ingest tests): ``python send_events.py --port 5000 --format plain --count 10 --tag run1``.
``--errors N`` also logs N real tracebacks with ``logger.exception``: by turns a
ZeroDivisionError raised in ``charge``, and a ValueError raised from a JSONDecodeError."""

import argparse
import json
import logging
import time

from logstash_async import constants
from logstash_async.formatter import LogstashEcsFormatter, LogstashFormatter
from logstash_async.handler import AsynchronousLogstashHandler


def charge(order):
    return order["amount"] / order["quantity"]


def parse_order(body):
    try:
        return json.loads(body)
    except json.JSONDecodeError as error:
        raise ValueError(f"order {body!r} is not JSON") from error


def log_errors(logger, count, tag):
    """Logs ``count`` exceptions as an app does: ``logger.exception`` in an except block."""
    for i in range(count):
        try:
            if i % 2 == 0:
                charge({"amount": 10 + i, "quantity": 0})
            else:
                parse_order("{order %d" % i)
        except Exception:
            logger.exception("order %d failed", i, extra={"run_tag": tag})


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--format", choices=["plain", "ecs"], default="plain")
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--tag", default="test")
    parser.add_argument("--errors", type=int, default=0)
    # seconds between the client's batches (QUEUED_EVENTS_FLUSH_INTERVAL; its default is 10)
    parser.add_argument("--flush-interval", type=float, default=0.2)
    args = parser.parse_args()
    constants.QUEUED_EVENTS_FLUSH_INTERVAL = args.flush_interval
    handler = AsynchronousLogstashHandler(args.host, args.port, database_path=None)
    formatter = LogstashEcsFormatter() if args.format == "ecs" else LogstashFormatter()
    handler.setFormatter(formatter)
    logger = logging.getLogger("send_events")
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    for i in range(args.count):
        logger.info("event %d of %s", i, args.tag, extra={"run_tag": args.tag, "seq": i})
    log_errors(logger, args.errors, args.tag)
    # the batch goes when the client's interval comes round, not before
    time.sleep(args.flush_interval)
    handler.flush()
    time.sleep(0.5)
    handler.close()


if __name__ == "__main__":
    main()
