//! The tables of the staged pipeline, in one place: each table's folder and its columns, as
//! `sign` writes them and `cluster` and `spans` read them (scripts/spark/cluster.py uses the same
//! names). Every integer column is signed, as Spark has no unsigned types.

/// A table: its folder under the tables' directory and its columns, in order.
pub struct Table {
    pub dir: &'static str,
    pub columns: &'static [&'static str],
}

/// One row per band of every document with words (`sign`).
pub const BANDS: Table = Table {
    dir: "bands",
    columns: &[DOC_ID, BAND, BAND_HASH],
};
/// One row per distinct paragraph or template key of every document, sorted by key (`sign`).
pub const PARAS: Table = Table {
    dir: "paras",
    columns: &[PARA_HASH, DOC_ID],
};
/// One row per document (`sign`).
pub const DOCS: Table = Table {
    dir: "docs",
    columns: &[DOC_ID, LINE, NAME, ID, LEN, CHARS, CONTENT_KEY, SKETCH],
};
/// One row per shard (`sign`).
pub const SHARDS: Table = Table {
    dir: "shards",
    columns: &[SHARD_ID, SHARD, DOCUMENTS, BYTES, SKIPPED],
};
/// One row per non-kept member of a near-duplicate cluster, partitioned by shard (`cluster`).
pub const DUP_DOCS: Table = Table {
    dir: "dup_docs",
    columns: &[
        DOC_ID,
        CLUSTER,
        KEPT_DOC_ID,
        KEPT_NAME,
        KEPT_ID,
        KEPT_LEN,
        KEPT_CHARS,
        SIMILARITY,
        EXACT,
    ],
};
/// One row per key counted in enough documents (`cluster`).
pub const BOILERPLATE: Table = Table {
    dir: "boilerplate",
    columns: &[PARA_HASH, N_DOCS],
};

/// Shard id (high 32 bits) and index in the shard (low 32 bits) of a document.
pub const DOC_ID: &str = "doc_id";
pub const BAND: &str = "band";
pub const BAND_HASH: &str = "band_hash";
/// A segment's matching key, or a furniture template key.
pub const PARA_HASH: &str = "para_hash";
/// 1-based line of a record in its shard (0 for a text file).
pub const LINE: &str = "line";
pub const NAME: &str = "name";
pub const ID: &str = "id";
pub const LEN: &str = "len";
pub const CHARS: &str = "chars";
pub const CONTENT_KEY: &str = "content_key";
/// The verification sketch (at most 1,024 × int32).
pub const SKETCH: &str = "sketch";
pub const SHARD_ID: &str = "shard_id";
/// The shard's path as given to `sign`.
pub const SHARD: &str = "shard";
pub const DOCUMENTS: &str = "documents";
pub const BYTES: &str = "bytes";
pub const SKIPPED: &str = "skipped";
pub const CLUSTER: &str = "cluster";
pub const KEPT_DOC_ID: &str = "kept_doc_id";
pub const KEPT_NAME: &str = "kept_name";
pub const KEPT_ID: &str = "kept_id";
pub const KEPT_LEN: &str = "kept_len";
pub const KEPT_CHARS: &str = "kept_chars";
pub const SIMILARITY: &str = "similarity";
pub const EXACT: &str = "exact";
pub const N_DOCS: &str = "n_docs";
