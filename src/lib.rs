//! `dedup`: finds repeated paragraphs, boilerplate and near-duplicate documents in a text corpus
//! and reports them as exact byte spans to cut.
//!
//! The data path, one module per stage: [`read`] (paths → documents) → [`doc`] (one text → its
//! print) → [`detect`] (prints → spans, with the page-furniture model of [`furniture`]) →
//! [`report`] (spans → rows). [`pipeline::scan`] runs them all; [`apply::apply`] cuts a report's
//! spans out of the corpus; [`staged`] runs the same scan as three stages that exchange Parquet
//! (per shard, global, per shard), for corpora beyond one machine. [`model`] is the vocabulary
//! they share.

pub mod apply;

pub mod detect;
pub mod doc;
mod error;
pub mod furniture;
pub mod html;
pub mod model;
pub mod pipeline;
pub mod read;
pub mod report;

pub mod staged;

pub use error::Error;
pub use model::{Detectors, Document, Kind, Span};
pub use pipeline::{scan, Options, ScanResult};
