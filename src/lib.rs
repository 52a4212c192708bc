//! `dedup`: finds repeated paragraphs, boilerplate and near-duplicate documents in a text corpus
//! and reports them as exact byte spans to cut.
//!
//! The pipeline, one module per stage:
//! [`read`] → [`segment`] → [`normalize`] → [`fingerprint`] (with [`minhash`] and [`furniture`]) →
//! [`detect`] (with [`lsh`] and [`cluster`]) → [`span_text`] → [`report`]. [`pipeline::scan`] runs them all;
//! [`apply::apply`] cuts a report's spans out of the corpus; [`staged`] runs the same scan as three
//! stages that exchange Parquet (per shard, global, per shard), for corpora beyond one machine.

pub mod apply;
pub mod cluster;
mod decimal;
pub mod detect;
mod error;
pub mod fingerprint;
pub mod furniture;
pub mod lsh;
pub mod minhash;
pub mod normalize;
pub mod pipeline;
pub mod read;
pub mod report;
pub mod segment;
pub mod span_text;
pub mod staged;

pub use detect::{Detectors, Kind, Span};
pub use error::Error;
pub use pipeline::{scan, Options, ScanResult};
