//! logdash's pure logic, shared by the dashboard (wasm) and the server: the
//! Elasticsearch wire model and everything else that needs neither a DOM nor a socket.

pub mod dashboard;
pub mod embed;
pub mod errors;
pub mod es;
pub mod export;
pub mod ip;
pub mod live;
pub mod logstash;
pub mod lucene;
pub mod patterns;
pub mod saved;
pub mod text;
pub mod time;
pub mod trace;
pub mod url;
pub mod view;
