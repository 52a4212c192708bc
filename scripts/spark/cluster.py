#!/usr/bin/env python3
"""`dedup cluster` on Apache Spark: the global step of the staged pipeline, DataFrame API only.

Reads the tables `dedup sign` wrote (bands, paras, docs, params.json) and writes `dup_docs`
(partitioned by shard_id) and `boilerplate`, equal to what `dedup cluster` writes, so that
`dedup spans --clusters OUT` gives the same report rows. No Python UDFs and no extra JARs: every
step is a Spark SQL expression, a join, a window or an aggregation.

  1. Exact duplicates: documents with the same content_key, linked to the smallest of them.
  2. Candidate pairs from the band buckets (band, band_hash), as src/detect/lsh.rs makes them: every pair
     of a bucket of at most 32 documents; in a larger bucket, each member with the first (the
     smallest doc_id) and with its predecessor.
  3. Verification: the bottom-k Jaccard of the two documents' sketches (src/doc/minhash.rs,
     sketch_similarity): of the k smallest values of the union, the share in both.
  4. Connected components by alternating large-star and small-star (Kiveris et al., "Connected
     Components in MapReduce and Beyond", SoCC 2014) until the edge set no longer changes; each
     component's smallest doc_id is its kept copy, clusters are numbered in the order of kept copies.
  5. Paragraph and template keys counted in distinct documents, one vote per cluster.

Usage: spark_cluster.py TABLES [--out DIR] [--master local[2]]
(--out defaults to TABLES, like `dedup cluster`).
"""
import argparse
import json
import os

from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F

# src/detect/lsh.rs MAX_ALL_PAIRS_BUCKET
MAX_ALL_PAIRS_BUCKET = 32


def sketch_similarity(a, b, k):
    """Column: bottom-k Jaccard of two sorted sketch arrays (0 when both are empty)."""
    union = F.slice(F.array_sort(F.array_union(a, b)), 1, k)
    shared = F.size(F.array_intersect(union, F.array_intersect(a, b)))
    return F.when(F.size(union) == 0, F.lit(0.0)).otherwise(
        shared.cast("double") / F.size(union).cast("double")
    )


def candidate_pairs(bands):
    """(a, b), a < b, distinct: the pairs src/detect/lsh.rs bucket_pairs makes."""
    bucket = Window.partitionBy("band", "band_hash")
    ordered = bucket.orderBy("doc_id")
    b = (
        bands.select("band", "band_hash", "doc_id")
        .withColumn("size", F.count("*").over(bucket))
        .filter(F.col("size") > 1)
    )
    small = b.filter(F.col("size") <= MAX_ALL_PAIRS_BUCKET)
    all_pairs = (
        small.alias("x")
        .join(small.alias("y"), ["band", "band_hash"])
        .filter(F.col("x.doc_id") < F.col("y.doc_id"))
        .select(F.col("x.doc_id").alias("a"), F.col("y.doc_id").alias("b"))
    )
    large = (
        b.filter(F.col("size") > MAX_ALL_PAIRS_BUCKET)
        .withColumn("first", F.first("doc_id").over(ordered.rowsBetween(Window.unboundedPreceding, 0)))
        .withColumn("prev", F.lag("doc_id").over(ordered))
    )
    star = large.filter(F.col("doc_id") != F.col("first")).select(
        F.col("first").alias("a"), F.col("doc_id").alias("b")
    )
    chain = large.filter(F.col("prev").isNotNull() & (F.col("prev") != F.col("first"))).select(
        F.col("prev").alias("a"), F.col("doc_id").alias("b")
    )
    return all_pairs.union(star).union(chain).distinct()


def normalise(edges):
    """Undirected edges as (u, v) with u > v, distinct, no self-loops."""
    return (
        edges.select(F.greatest("u", "v").alias("u"), F.least("u", "v").alias("v"))
        .filter(F.col("u") != F.col("v"))
        .distinct()
    )


def both_ways(edges):
    return edges.union(edges.select(F.col("v").alias("u"), F.col("u").alias("v")))


def large_star(edges):
    """Every node links its larger neighbours to the smallest of its neighbourhood and itself."""
    d = both_ways(edges)
    m = d.groupBy("u").agg(F.least(F.min("v"), F.first("u")).alias("m"))
    out = d.filter(F.col("v") > F.col("u")).join(m, "u").select(F.col("v").alias("u"), F.col("m").alias("v"))
    return normalise(out)


def small_star(edges):
    """Every node links itself and its smaller neighbours to the smallest of them."""
    d = both_ways(edges).filter(F.col("v") < F.col("u"))
    m = d.groupBy("u").agg(F.min("v").alias("m"))
    linked = d.join(m, "u").select(F.col("v").alias("u"), F.col("m").alias("v"))
    selves = m.select("u", F.col("m").alias("v"))
    return normalise(linked.union(selves))


def components(spark, edges):
    """(doc_id, rep): every node of an edge with the smallest doc_id of its component."""
    # Each round is checkpointed: the plan of a round reads the previous edges several times, so
    # without cutting the lineage it would grow exponentially with the rounds.
    edges = normalise(edges).localCheckpoint()
    rounds = 0
    while True:
        nxt = small_star(large_star(edges)).localCheckpoint()
        rounds += 1
        changed = nxt.exceptAll(edges).limit(1).count() + edges.exceptAll(nxt).limit(1).count()
        edges = nxt
        if changed == 0:
            break
    # Converged: each component is a star around its smallest node.
    d = both_ways(edges)
    reps = d.groupBy("u").agg(F.least(F.min("v"), F.first("u")).alias("rep"))
    return reps.select(F.col("u").alias("doc_id"), "rep"), rounds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tables")
    ap.add_argument("--out")
    ap.add_argument("--master", default=os.environ.get("SPARK_MASTER", "local[2]"))
    args = ap.parse_args()
    out = args.out or args.tables
    params = json.load(open(os.path.join(args.tables, "params.json")))
    # Every parameter comes from the tables, as `dedup sign` decided it (src/detect/boilerplate.rs
    # MinDocs: keys are counted from `count_from` documents up).
    k = int(params["sketch"])
    threshold = float(params["threshold"])
    count_from = int(params["count_from"])

    spark = (
        SparkSession.builder.master(args.master)
        .appName("dedup-cluster")
        .config("spark.sql.shuffle.partitions", os.environ.get("SPARK_SHUFFLE_PARTITIONS", "8"))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    t = lambda name: spark.read.parquet(os.path.join(args.tables, name))
    docs = t("docs").select("doc_id", "name", "id", "len", "chars", "content_key", "sketch")
    bands, paras = t("bands"), t("paras")

    # 1. Exact duplicates: each document to the smallest of its content_key.
    by_key = Window.partitionBy("content_key")
    exact = (
        docs.filter(F.col("content_key").isNotNull())
        .withColumn("first", F.min("doc_id").over(by_key))
        .filter(F.col("doc_id") != F.col("first"))
        .select(F.col("doc_id").alias("u"), F.col("first").alias("v"))
    )

    # 2-3. Candidates (minus identical pairs), verified on the sketches.
    ck = docs.select("doc_id", "content_key", "sketch")
    cand = (
        candidate_pairs(bands)
        .join(ck.toDF("a", "ka", "sa"), "a")
        .join(ck.toDF("b", "kb", "sb"), "b")
        .filter(~F.col("ka").eqNullSafe(F.col("kb")))
        .withColumn("similarity", sketch_similarity(F.col("sa"), F.col("sb"), k))
    )
    verified = cand.filter(F.col("similarity") >= F.lit(threshold)).select(
        F.col("a").alias("u"), F.col("b").alias("v")
    )

    # 4. Components; members are the nodes that are not their component's smallest.
    reps, rounds = components(spark, exact.union(verified))
    members = reps.filter(F.col("doc_id") != F.col("rep")).persist()
    numbering = members.select("rep").distinct().withColumn(
        "cluster", F.row_number().over(Window.orderBy("rep")).cast("long")
    )
    kept = docs.select(
        F.col("doc_id").alias("rep"),
        F.col("name").alias("kept_name"),
        F.col("id").alias("kept_id"),
        F.col("len").alias("kept_len"),
        F.col("chars").alias("kept_chars"),
        F.col("content_key").alias("kept_key"),
        F.col("sketch").alias("kept_sketch"),
    )
    dup_docs = (
        members.join(numbering, "rep")
        .join(kept, "rep")
        .join(docs.select("doc_id", "content_key", "sketch"), "doc_id")
        .withColumn("exact", F.col("content_key").eqNullSafe(F.col("kept_key")))
        .withColumn(
            "similarity",
            F.when(F.col("exact"), F.lit(1.0)).otherwise(
                sketch_similarity(F.col("kept_sketch"), F.col("sketch"), k)
            ),
        )
        .withColumn("shard_id", F.shiftright(F.col("doc_id"), 32).cast("int"))
        .select(
            "doc_id",
            "cluster",
            F.col("rep").alias("kept_doc_id"),
            "kept_name",
            "kept_id",
            "kept_len",
            "kept_chars",
            "similarity",
            "exact",
            "shard_id",
        )
    )
    dup_docs.repartition("shard_id").sortWithinPartitions("doc_id").write.mode("overwrite").partitionBy(
        "shard_id"
    ).parquet(os.path.join(out, "dup_docs"))

    # 5. Keys counted once per cluster: each document votes as its kept copy.
    voter = paras.join(members.select("doc_id", "rep"), "doc_id", "left").select(
        "para_hash", F.coalesce("rep", "doc_id").alias("voter")
    )
    boilerplate = (
        voter.distinct()
        .groupBy("para_hash")
        .agg(F.count("*").alias("n_docs"))
        .filter(F.col("n_docs") >= count_from)
        .select("para_hash", F.col("n_docs").cast("long"))
    )
    boilerplate.orderBy("para_hash").write.mode("overwrite").parquet(os.path.join(out, "boilerplate"))
    n_clusters = numbering.count()
    print(f"spark_cluster: {n_clusters} clusters, {members.count()} duplicates, {rounds} star rounds")
    spark.stop()


if __name__ == "__main__":
    main()
