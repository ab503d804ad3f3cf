//! The one tantivy schema every event goes into; Elasticsearch indices are a field of it.
//!
//! Each event is indexed two ways: `text` (words, for full-text queries on a field) and
//! `kw` (whole values, fast, for exact terms, ranges, sorting and aggregations). A query
//! that names no field goes over the fields of the mapping (see `query`).
//!
//! `seq` numbers events in the order they were indexed, across restarts: it breaks ties
//! between hits as Elasticsearch's `_doc` order does (tantivy's own segment order changes
//! from run to run). Stores written before it existed have no `seq` and keep that order.
//!
//! `all` (every value's words in one field) is no longer written: expanding queries over
//! the mapping instead makes ingest a fifth cheaper. It stays in the schema so that
//! stores written by earlier versions open.

use tantivy::schema::{
    BytesOptions, DateOptions, DateTimePrecision, Field, IndexRecordOption, JsonObjectOptions,
    Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::tokenizer::{LowerCaser, TextAnalyzer, TokenizerManager};

pub(crate) const TEXT_TOKENIZER: &str = "default";
pub(crate) const RAW_TOKENIZER: &str = "raw";
/// The indexing order's column.
pub(crate) const SEQ: &str = "seq";

/// The analyzers the index and its queries use: text fields get Elasticsearch's
/// `standard` analyzer (`standard::StandardTokenizer`, lowercased), whole values `raw`.
pub(crate) fn tokenizers() -> TokenizerManager {
    let manager = TokenizerManager::default();
    manager.register(
        TEXT_TOKENIZER,
        TextAnalyzer::builder(crate::standard::StandardTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
    manager
}

#[derive(Clone, Copy)]
pub(crate) struct Fields {
    pub index: Field,
    pub id: Field,
    pub timestamp: Field,
    pub source: Field,
    pub text: Field,
    pub kw: Field,
    /// The indexing order (absent in stores written before it).
    pub seq: Option<Field>,
}

pub(crate) fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let words = TextFieldIndexing::default()
        .set_tokenizer(TEXT_TOKENIZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let whole = TextFieldIndexing::default()
        .set_tokenizer(RAW_TOKENIZER)
        .set_index_option(IndexRecordOption::Basic);
    let fields = Fields {
        index: builder.add_text_field("_index", STRING | FAST | STORED),
        id: builder.add_text_field("_id", STRING | STORED),
        timestamp: builder.add_date_field(
            "ts",
            DateOptions::default()
                .set_indexed()
                .set_fast()
                .set_stored()
                .set_precision(DateTimePrecision::Milliseconds),
        ),
        source: builder.add_bytes_field("_source", BytesOptions::default().set_stored()),
        text: builder.add_json_field(
            "text",
            JsonObjectOptions::default()
                .set_indexing_options(words.clone())
                .set_expand_dots_enabled(),
        ),
        kw: builder.add_json_field(
            "kw",
            JsonObjectOptions::default()
                .set_indexing_options(whole)
                .set_fast(RAW_TOKENIZER)
                .set_expand_dots_enabled(),
        ),
        seq: Some(builder.add_u64_field(SEQ, FAST)),
    };
    builder.add_text_field("all", TextOptions::default().set_indexing_options(words));
    (builder.build(), fields)
}

/// The fields of a schema made by [`build`] (for code that is handed only the schema).
pub(crate) fn fields_of(schema: &Schema) -> tantivy::Result<Fields> {
    Ok(Fields {
        index: schema.get_field("_index")?,
        id: schema.get_field("_id")?,
        timestamp: schema.get_field("ts")?,
        source: schema.get_field("_source")?,
        text: schema.get_field("text")?,
        kw: schema.get_field("kw")?,
        seq: schema.get_field(SEQ).ok(),
    })
}
