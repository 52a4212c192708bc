#!/usr/bin/env python3
"""Compares the `dup_docs` and `boilerplate` tables of two runs of the global step (for example
`dedup cluster` and scripts/spark/cluster.py): same rows, same values, whatever the file layout.
Exit status 0 when equal, 1 otherwise (the differing rows are printed).

Usage: spark_compare.py TABLES_A TABLES_B
"""
import os
import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

COLUMNS = {
    "dup_docs": ["shard_id", "doc_id", "cluster", "kept_doc_id", "kept_name", "kept_id", "kept_len",
                 "kept_chars", "similarity", "exact"],
    "boilerplate": ["para_hash", "n_docs"],
}
TYPES = {"shard_id": "int", "doc_id": "long", "cluster": "long", "kept_doc_id": "long",
         "kept_name": "string", "kept_id": "string", "kept_len": "long", "kept_chars": "long",
         "similarity": "double", "exact": "boolean", "para_hash": "long", "n_docs": "long"}


def main():
    a, b = sys.argv[1], sys.argv[2]
    spark = (SparkSession.builder.master("local[2]").appName("dedup-compare")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    ok = True
    for table, cols in COLUMNS.items():
        # An explicit schema, so that a table without rows (no clusters: only _SUCCESS, or an
        # empty folder) reads as empty rather than failing to infer one.
        schema = ", ".join(f"{c} {TYPES[c]}" for c in cols)

        def load(root):
            df = spark.read.schema(schema).parquet(os.path.join(root, table))
            return df.select([F.col(c).cast(TYPES[c]) for c in cols])
        x, y = load(a), load(b)
        only_x, only_y = x.exceptAll(y), y.exceptAll(x)
        nx, ny = only_x.count(), only_y.count()
        print(f"{table}: {x.count()} rows in {a}, {y.count()} in {b}; {nx} only in the first, {ny} only in the second")
        if nx or ny:
            ok = False
            only_x.show(10, truncate=False)
            only_y.show(10, truncate=False)
    spark.stop()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
