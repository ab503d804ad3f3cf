"""The official Python `elasticsearch` client against logdash, as an application would use it.

Usage: es_client.py ES_URL [BULK_URL]

Reads through ES_URL (logdash's /es/) with info, search, count, msearch and field_caps;
with BULK_URL (the ingest port), first writes 10 documents with helpers.bulk and 10 more
with a client that gzips its bodies (http_compress, as Logstash and Beats do); creates an
index with its mappings and streams documents into it (helpers.streaming_bulk), one of
which does not fit. Prints one
JSON object with what each call returned, for tests/tests/python_client.rs to check.
"""

import json
import sys
import time

from elasticsearch import Elasticsearch, helpers


def typed(writer, reader):
    """An index created with its mappings, written with streaming_bulk, read back."""
    created = writer.indices.create(
        index="typed-client",
        mappings={"properties": {"user": {"type": "keyword"}, "ms": {"type": "long"}}},
    )
    docs = [{"_index": "typed-client", "_id": f"t{i}", "user": f"user {i % 2}", "ms": str(i)} for i in range(4)]
    docs.append({"_index": "typed-client", "_id": "bad", "user": "user 0", "ms": "abc"})
    streamed = [
        [ok, item.get("index", {}).get("status"), item.get("index", {}).get("error", {}).get("type")]
        for ok, item in helpers.streaming_bulk(writer, docs, raise_on_error=False, refresh="true")
    ]
    answer = reader.search(
        index="typed-client", size=0, aggs={"users": {"terms": {"field": "user"}}, "ms": {"sum": {"field": "ms"}}}
    )["aggregations"]
    return {
        "created": created["acknowledged"],
        "exists": bool(writer.indices.exists(index="typed-client")),
        "streamed": streamed,
        "users": [[b["key"], b["doc_count"]] for b in answer["users"]["buckets"]],
        "ms": answer["ms"]["value"],
    }


def documents(writer):
    """One document a call: index, create, update, get, exists, delete."""
    from elasticsearch import ConflictError, NotFoundError

    put = writer.index(index="docs-client", id="d1", document={"m": "first"})
    new = writer.index(index="docs-client", document={"m": "auto"}, refresh=True)
    try:
        writer.create(index="docs-client", id="d1", document={"m": "again"})
        conflict = None
    except ConflictError as err:
        conflict = err.meta.status
    updated = writer.update(index="docs-client", id="d1", doc={"extra": 1}, refresh=True)
    got = writer.get(index="docs-client", id="d1")
    deleted = writer.delete(index="docs-client", id=new["_id"])
    try:
        writer.get(index="docs-client", id=new["_id"])
        gone = None
    except NotFoundError as err:
        gone = err.meta.status
    return {
        "put": put["result"],
        "new": new["result"],
        "conflict": conflict,
        "updated": updated["result"],
        "got": got["_source"],
        "exists": bool(writer.exists(index="docs-client", id="d1")),
        "deleted": deleted["result"],
        "gone": gone,
    }


def main():
    reader = Elasticsearch(sys.argv[1])
    out = {}
    if len(sys.argv) > 2:
        writer = Elasticsearch(sys.argv[2])
        docs = (
            {"_index": "logs-client", "_id": f"c{i}", "message": f"from the client {i}", "n": i}
            for i in range(10)
        )
        out["bulk"] = list(helpers.bulk(writer, docs))
        gzipping = Elasticsearch(sys.argv[2], http_compress=True)
        zipped = (
            {"_index": "logs-client", "_id": f"z{i}", "message": f"gzipped {i}", "n": i}
            for i in range(10)
        )
        out["bulk_gzip"] = list(helpers.bulk(gzipping, zipped))
        deadline = time.time() + 10
        while reader.count(index="logs-client")["count"] < 20 and time.time() < deadline:
            time.sleep(0.1)
        out["typed"] = typed(writer, reader)
        out["documents"] = documents(writer)
        out["read_by_id"] = [
            reader.get(index="logs-client", id="c3")["_source"],
            bool(reader.indices.exists(index="logs-client")),
            bool(reader.indices.exists(index="logs-nowhere")),
        ]
        out["client_source"] = reader.search(index="logs-client", query={"ids": {"values": ["c3"]}})[
            "hits"
        ]["hits"][0]["_source"]
    info = reader.info()
    out["info"] = {"tagline": info.get("tagline"), "number": info["version"]["number"]}
    out["search"] = reader.search(
        index="logs-*", size=2, sort=[{"@timestamp": "desc"}], query={"term": {"level.keyword": "ERROR"}}
    ).body
    out["count"] = reader.count(index="logs-*")["count"]
    out["msearch"] = [
        r["hits"]["total"]["value"]
        for r in reader.msearch(
            searches=[{"index": "logs-*"}, {"size": 0}, {"index": "logs-*"}, {"size": 0, "query": {"match": {"message": "failed"}}}]
        )["responses"]
    ]
    out["field_caps"] = sorted(reader.field_caps(index="logs-*", fields="extra.*")["fields"])
    # every event once, through the scroll API (the helper clears its scroll at the end)
    scanned = [hit["_id"] for hit in helpers.scan(reader, index="logs-*", size=7, scroll="1m")]
    out["scan"] = [len(scanned), len(set(scanned))]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
