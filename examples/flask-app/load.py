"""Simulates many users calling the example app: ``python load.py --users 50 --seconds 60``."""

import argparse
import random
import threading
import time
import urllib.error
import urllib.request

NAMES = ["Natalia", "N", "Ada", "Linus", "Grace", "Ken", "Barbara"]


def user_loop(base, user, deadline, pause):
    while time.time() < deadline:
        path = random.choice(["/", "/info", f"/hello/{random.choice(NAMES)}"])
        req = urllib.request.Request(base + path, headers={"X-User-Id": f"user-{user:03}"})
        try:
            urllib.request.urlopen(req, timeout=5).read()
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(random.expovariate(1 / pause))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:5001")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--pause", type=float, default=1.0, help="mean seconds between a user's requests")
    args = parser.parse_args()
    deadline = time.time() + args.seconds
    threads = [threading.Thread(target=user_loop, args=(args.url, u, deadline, args.pause)) for u in range(args.users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main()
