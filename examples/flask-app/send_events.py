"""Sends log events through the real python-logstash-async handler (used by logdash's
ingest tests): ``python send_events.py --port 5000 --format plain --count 10 --tag run1``."""

import argparse
import logging
import time

from logstash_async import constants
from logstash_async.formatter import LogstashEcsFormatter, LogstashFormatter
from logstash_async.handler import AsynchronousLogstashHandler


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--format", choices=["plain", "ecs"], default="plain")
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--tag", default="test")
    args = parser.parse_args()
    constants.QUEUED_EVENTS_FLUSH_INTERVAL = 0.2
    handler = AsynchronousLogstashHandler(args.host, args.port, database_path=None)
    formatter = LogstashEcsFormatter() if args.format == "ecs" else LogstashFormatter()
    handler.setFormatter(formatter)
    logger = logging.getLogger("send_events")
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    for i in range(args.count):
        logger.info("event %d of %s", i, args.tag, extra={"run_tag": args.tag, "seq": i})
    handler.flush()
    time.sleep(0.5)
    handler.close()


if __name__ == "__main__":
    main()
