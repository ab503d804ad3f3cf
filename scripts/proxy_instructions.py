#!/usr/bin/env python3
"""How many instructions logdash itself runs per proxied search, counted by callgrind.

proxy_bench's requests/s move by a fifth from one round to the next on a shared machine;
an instruction count does not move at all, so it tells apart changes to logdash's own
work (not the kernel's) that are too small for proxy_bench to see.

logdash --elasticsearch runs under valgrind in front of a stand-in for Elasticsearch that
answers every search alike; 4 keep-alive clients post proxy_bench's search. Run twice, with
no requests after the warm-up and then with REQUESTS, the difference divided by REQUESTS
leaves out start-up and shutdown.

usage: scripts/proxy_instructions.py LOGDASH_BINARY... [--requests N]
"""

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile

ANSWER = (
    b'{"took":1,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},'
    b'"hits":{"total":{"value":1,"relation":"eq"},"max_score":null,"hits":[{"_index":"logs-app",'
    b'"_id":"1","_score":null,"_source":{"@timestamp":"2026-11-25T10:00:00.000Z","level":"INFO",'
    b'"message":"GET /hello/Natalia 200"},"sort":[1764064800000]}]}}'
)
SEARCH = (
    b'{"size":200,"sort":[{"@timestamp":"desc"}],'
    b'"query":{"bool":{"filter":[{"range":{"@timestamp":{"gte":"now-15m"}}}]}}}'
)
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Elastic-Product: Elasticsearch\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(ANSWER), ANSWER)
)
REQUEST = (
    b"POST /es/logs-*/_search HTTP/1.1\r\nHost: bench\r\nOrigin: http://portal.example\r\n"
    b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(SEARCH), SEARCH)
)
CLIENTS = 4
WARM_UP = 200


def content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


async def stand_in(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            await reader.readexactly(content_length(head))
            writer.write(RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
        writer.close()


async def client(port: int, count: int):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(count):
        writer.write(REQUEST)
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise SystemExit(f"logdash answered {head!r}")
        await reader.readexactly(content_length(head))
    writer.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def instructions(binary: str, requests: int, out: str) -> int:
    """All instructions logdash ran, serving `requests` after the warm-up."""
    server = await asyncio.start_server(stand_in, "127.0.0.1", 0)
    upstream = server.sockets[0].getsockname()[1]
    port = free_port()
    logdash = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary,
         "--listen", f"127.0.0.1:{port}", "--elasticsearch", f"http://127.0.0.1:{upstream}",
         "--es-username", "elastic", "--es-password", "changeme",
         "--cors-origins", "http://portal.example", "--es-max-connections", "256"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "LOGDASH_LOG": "warn"},
    )
    try:
        for _ in range(600):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.1)
        await asyncio.gather(*[client(port, WARM_UP) for _ in range(CLIENTS)])
        if requests:
            await asyncio.gather(*[client(port, requests // CLIENTS) for _ in range(CLIENTS)])
    finally:
        logdash.terminate()
        logdash.wait()
        server.close()
    with open(out) as profile:
        for line in profile:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise SystemExit(f"no totals in {out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--requests", type=int, default=4000)
    args = parser.parse_args()
    print("| logdash build | instructions per proxied search (callgrind) |")
    print("|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, "callgrind.out")
        for binary in args.binaries:
            idle = asyncio.run(instructions(binary, 0, out))
            busy = asyncio.run(instructions(binary, args.requests, out))
            print(f"| {binary} | {(busy - idle) / args.requests:,.0f} |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
