//! Ties between hits are broken in indexing order, as Elasticsearch's `_doc` breaks them,
//! whatever segments the events landed in and across restarts.

use serde_json::{json, Value};

use crate::Store;

fn bulk_one_by_one(store: &Store, names: &[&str]) {
    // one `_bulk` per event: each is committed on its own, so each has a segment
    for name in names {
        let body = format!(
            "{{\"index\":{{\"_index\":\"order\"}}}}\n{}\n",
            json!({"@timestamp": "2026-12-06T10:00:00Z", "level": "INFO", "name": name})
        );
        let answer = store.bulk(None, body.as_bytes()).expect("bulk works");
        assert_eq!(answer["errors"], json!(false), "{answer}");
    }
}

fn names(store: &Store, body: Value) -> Vec<String> {
    let answer = store.search("order", &body).expect("searches");
    answer["hits"]["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| hit["_source"]["name"].as_str().unwrap_or("?").to_string())
        .collect()
}

#[test]
fn equal_hits_come_in_indexing_order_across_segments_and_restarts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = ["a", "b", "c", "d", "e"];
    let then = ["f", "g", "h", "i", "j"];
    {
        let store = Store::open(dir.path()).expect("opens");
        bulk_one_by_one(&store, &first);
    }
    let store = Store::open(dir.path()).expect("opens again");
    bulk_one_by_one(&store, &then);
    let all: Vec<String> = first.iter().chain(&then).map(|s| s.to_string()).collect();
    // equal scores (match_all, a filter, a term every event has), equal sort keys, `_doc`
    for body in [
        json!({"size": 20}),
        json!({"size": 20, "query": {"bool": {"filter": {"term": {"level.keyword": "INFO"}}}}}),
        json!({"size": 20, "query": {"match": {"level": "info"}}}),
        json!({"size": 20, "sort": [{"@timestamp": "desc"}]}),
        json!({"size": 20, "sort": ["_doc"]}),
    ] {
        assert_eq!(names(&store, body.clone()), all, "{body}");
    }
    let reversed: Vec<String> = all.iter().rev().cloned().collect();
    assert_eq!(
        names(&store, json!({"size": 20, "sort": [{"_doc": "desc"}]})),
        reversed
    );
    // `_doc` pages with search_after, its values stable across the pages
    let page = store
        .search("order", &json!({"size": 4, "sort": ["_doc"]}))
        .expect("first page");
    let last = page["hits"]["hits"][3]["sort"].clone();
    // a `_doc` value survives a reader that holds numbers as doubles (JavaScript)
    let place = last[0].as_u64().expect("a whole number");
    assert!(place < 1 << 53, "{place}");
    let next = names(
        &store,
        json!({"size": 4, "sort": ["_doc"], "search_after": last}),
    );
    assert_eq!(next, ["e", "f", "g", "h"]);
}

#[test]
fn a_store_written_before_the_indexing_order_opens_and_answers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let index_dir = dir.path().join("index");
    std::fs::create_dir_all(&index_dir).expect("index dir");
    // the schema as it was: every field but `seq`
    let (current, _) = crate::schema::build();
    let mut earlier = tantivy::schema::Schema::builder();
    for (_, entry) in current.fields() {
        if entry.name() != crate::schema::SEQ {
            earlier.add_field(entry.clone());
        }
    }
    tantivy::Index::create_in_dir(&index_dir, earlier.build()).expect("an earlier store");
    let store = Store::open(dir.path()).expect("opens");
    bulk_one_by_one(&store, &["a", "b"]);
    let mut found = names(&store, json!({"size": 20, "sort": ["_doc"]}));
    found.sort();
    assert_eq!(found, ["a", "b"]);
}

#[test]
fn an_event_with_several_values_sorts_by_its_smallest_ascending_and_its_largest_descending() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("opens");
    let body = [
        r#"{"index":{"_index":"multi","_id":"a"}}"#,
        r#"{"n":[1,10],"tag":["b","z"]}"#,
        r#"{"index":{"_index":"multi","_id":"b"}}"#,
        r#"{"n":[5],"tag":["m"]}"#,
        r#"{"index":{"_index":"multi","_id":"c"}}"#,
        r#"{"n":[4,3],"tag":["d","c"]}"#,
    ]
    .join("\n")
        + "\n";
    let answer = store.bulk(None, body.as_bytes()).expect("bulk works");
    assert_eq!(answer["errors"], json!(false), "{answer}");
    let sorted = |key: &str, order: &str| -> Vec<(String, Value)> {
        let answer = store
            .search("multi", &json!({"sort": [{key: order}], "_source": false}))
            .expect("searches");
        answer["hits"]["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|hit| {
                (
                    hit["_id"].as_str().unwrap_or("").to_string(),
                    hit["sort"][0].clone(),
                )
            })
            .collect()
    };
    let pairs = |expected: [(&str, Value); 3]| -> Vec<(String, Value)> {
        expected
            .into_iter()
            .map(|(id, v)| (id.to_string(), v))
            .collect()
    };
    assert_eq!(
        sorted("n", "asc"),
        pairs([("a", json!(1)), ("c", json!(3)), ("b", json!(5))])
    );
    assert_eq!(
        sorted("n", "desc"),
        pairs([("a", json!(10)), ("b", json!(5)), ("c", json!(4))])
    );
    assert_eq!(
        sorted("tag.keyword", "asc"),
        pairs([("a", json!("b")), ("c", json!("c")), ("b", json!("m"))])
    );
    assert_eq!(
        sorted("tag.keyword", "desc"),
        pairs([("a", json!("z")), ("b", json!("m")), ("c", json!("d"))])
    );
}

#[test]
fn a_post_filter_narrows_the_hits_and_not_the_aggregations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("opens");
    bulk_one_by_one(&store, &["a", "b", "c", "d"]);
    let body = json!({
        "size": 10,
        "query": {"terms": {"name.keyword": ["a", "b", "c"]}},
        "post_filter": {"term": {"name.keyword": "b"}},
        "aggs": {"names": {"terms": {"field": "name.keyword"}}}
    });
    // the three ways hits are collected: by score, by a sort key, none at all
    for (extra, hits) in [
        (json!({}), vec!["b"]),
        (json!({"sort": [{"@timestamp": "asc"}]}), vec!["b"]),
        (json!({"size": 0}), vec![]),
    ] {
        let mut body = body.clone();
        body.as_object_mut()
            .expect("an object")
            .extend(extra.as_object().expect("an object").clone());
        assert_eq!(names(&store, body.clone()), hits, "{body}");
        let answer = store.search("order", &body).expect("searches");
        assert_eq!(answer["hits"]["total"]["value"], json!(1), "{body}");
        let counted: Vec<&Value> = answer["aggregations"]["names"]["buckets"]
            .as_array()
            .expect("buckets")
            .iter()
            .map(|bucket| &bucket["key"])
            .collect();
        assert_eq!(counted, [&json!("a"), &json!("b"), &json!("c")], "{body}");
    }
}

#[test]
fn track_scores_scores_hits_sorted_by_a_field_and_gives_the_best_of_every_match() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("opens");
    let body = [
        (1, "disk full"),
        (2, "disk full disk full disk"),
        (3, "disk"),
        (4, "nothing"),
    ]
    .iter()
    .map(|(minute, message)| {
        format!(
            "{{\"index\":{{\"_index\":\"scored\",\"_id\":\"e{minute}\"}}}}\n{}\n",
            json!({"@timestamp": format!("2026-12-06T10:0{minute}:00Z"), "message": message})
        )
    })
    .collect::<String>();
    let answer = store.bulk(None, body.as_bytes()).expect("bulk works");
    assert_eq!(answer["errors"], json!(false), "{answer}");
    let search = |track: bool, size: usize| {
        store
            .search(
                "scored",
                &json!({"size": size, "track_scores": track, "_source": false,
                    "query": {"match": {"message": "disk"}}, "sort": [{"@timestamp": "asc"}]}),
            )
            .expect("searches")
    };
    // not tracked: sorted hits carry no score
    let plain = search(false, 3);
    assert_eq!(plain["hits"]["max_score"], Value::Null, "{plain}");
    assert_eq!(plain["hits"]["hits"][0]["_score"], Value::Null, "{plain}");
    // tracked: each hit its score, in the sort's order; the best of every match, even
    // one the page leaves out (e2, the most "disk", is second by time)
    let tracked = search(true, 1);
    let hits = tracked["hits"]["hits"].as_array().expect("hits");
    assert_eq!(hits.len(), 1, "{tracked}");
    assert_eq!(hits[0]["_id"], "e1");
    let first = hits[0]["_score"].as_f64().expect("a score");
    let best = tracked["hits"]["max_score"].as_f64().expect("a max_score");
    assert!(first > 0.0 && best > first, "{tracked}");
    let all = search(true, 3);
    let scores: Vec<f64> = all["hits"]["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|hit| hit["_score"].as_f64())
        .collect();
    assert_eq!(scores.len(), 3, "{all}");
    assert_eq!(scores.iter().copied().reduce(f64::max), Some(best), "{all}");
    assert_eq!(
        all["hits"]["hits"][2]["sort"],
        json!([1_796_551_380_000_i64]),
        "{all}"
    );
}
