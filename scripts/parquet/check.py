#!/usr/bin/env python3
"""Parquet in and out, against real writers and a real reader (run by scripts/parquet/test.sh).

    check.py DEDUP WORK

Writes the same records (the fixture shards, the seeds, and Reuters stories when
../shared/data is at hand) as a JSONL shard and as Parquet files written by pyarrow (string,
large_string and dictionary-encoded text, nested and list columns, small row groups, the schema
metadata a Hugging Face dataset carries), Polars and DuckDB, then checks:
  1. scanning each Parquet file gives the JSONL shard's rows (document names aside);
  2. `--format parquet` writes a report pyarrow reads with typed columns, equal to the CSV's rows,
     and `apply` takes it as its report;
  3. `apply` writes each Parquet file with its schema (metadata included) and every other column
     of the rows it keeps untouched, and its texts equal those of `apply` on the JSONL shard.
Exits 1 at the first difference, saying what differs.
"""

import csv
import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq


def fail(msg: str) -> None:
    print(f"parquet-test: {msg}", file=sys.stderr)
    sys.exit(1)


def records(root: Path) -> list:
    out = []
    for k in range(3):
        for line in (root / f"tests/fixtures/shards/part-{k}.jsonl").read_text().splitlines():
            v = json.loads(line)
            out.append((v["text"], f"fixture/{v['id']}"))
    for p in sorted((root / "seeds").glob("*.txt")):
        out.append((p.read_text(), p.name))
    reuters = root / "../shared/data/reuters21578-neardup/docs.jsonl.gz"
    if reuters.exists():
        for line in gzip.decompress(reuters.read_bytes()).decode().splitlines()[:3000]:
            v = json.loads(line)
            out.append((v["text"], f"reuters/{v['id']}"))
    return out


def scan(dedup: str, path: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([dedup, "scan", "-q", *extra, str(path)], capture_output=True)


def rows_without_names(dedup: str, path: Path) -> list:
    r = scan(dedup, path)
    if r.returncode != 0:
        fail(f"scan {path.name}: exit {r.returncode}: {r.stderr.decode()}")
    return [line.replace(str(path) + ":", "F:") for line in r.stdout.decode().splitlines()[1:]]


def main() -> None:
    dedup, work = sys.argv[1], Path(sys.argv[2])
    root = Path(__file__).resolve().parents[2]
    recs = records(root)
    n = len(recs)
    texts = [t for t, _ in recs]
    meta = [{"source": s, "tags": [s.split("/")[0], "x"]} for _, s in recs]
    ids = list(range(1000, 1000 + n))

    (work / "jsonl").mkdir(parents=True)
    with open(work / "jsonl/c.jsonl", "w") as f:
        for t, i, m in zip(texts, ids, meta):
            f.write(json.dumps({"id": i, "text": t, "meta": m}, ensure_ascii=False) + "\n")

    files = {}
    hf_meta = {b"huggingface": json.dumps({"info": {"features": {"text": {"dtype": "string"}}}}).encode()}
    for name, text_type in [("pyarrow-string", pa.string()), ("pyarrow-large", pa.large_string()),
                            ("pyarrow-dict", pa.dictionary(pa.int32(), pa.string()))]:
        table = pa.table({
            "id": pa.array(ids, pa.int64()),
            "meta": pa.array(meta),
            "text": pa.array(texts, pa.string()).cast(text_type),
            "chars": pa.array([len(t) for t in texts], pa.int32()),
        }).replace_schema_metadata(hf_meta)
        d = work / name
        d.mkdir()
        pq.write_table(table, d / "train-00000-of-00001.parquet", row_group_size=200,
                       write_page_index=True, compression="zstd")
        files[name] = d / "train-00000-of-00001.parquet"
    d = work / "polars"
    d.mkdir()
    pl.DataFrame({"id": ids, "text": texts, "source": [s for _, s in recs]}).write_parquet(
        d / "c.parquet", row_group_size=300)
    files["polars"] = d / "c.parquet"
    d = work / "duckdb"
    d.mkdir()
    con = duckdb.connect()
    con.execute("CREATE TABLE t (id BIGINT, text VARCHAR, source VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)", [(i, t, s) for (t, s), i in zip(recs, ids)])
    con.execute(f"COPY (SELECT * FROM t ORDER BY id) TO '{d / 'c.parquet'}' (FORMAT parquet, ROW_GROUP_SIZE 250)")
    files["duckdb"] = d / "c.parquet"

    # 1. The same rows as the JSONL shard.
    want = rows_without_names(dedup, work / "jsonl/c.jsonl")
    if len(want) < 50:
        fail(f"too few rows to compare ({len(want)})")
    for name, path in files.items():
        got = rows_without_names(dedup, path)
        if got != want:
            diff = next(i for i, (a, b) in enumerate(zip(got + [""] * n, want + [""] * n)) if a != b)
            fail(f"{name}: {len(got)} rows, JSONL {len(want)}; first difference at row {diff + 1}:\n"
                 f"  {got[diff] if diff < len(got) else '-'}\n  {want[diff] if diff < len(want) else '-'}")
        print(f"parquet-test: {name}: the JSONL shard's {len(want)} rows")

    # 2. The Parquet report: typed, equal to the CSV, read back by apply.
    path = files["pyarrow-string"]
    report = work / "report.parquet"
    r = scan(dedup, path.parent, "--format", "parquet", "-o", str(report))
    if r.returncode != 0:
        fail(f"--format parquet: {r.stderr.decode()}")
    table = pq.read_table(report)
    types = {f.name: str(f.type) for f in table.schema}
    expect = {"start": "int64", "end": "int64", "similarity": "double", "score": "float",
              "cluster": "int64", "id": "int64", "keep_id": "int64", "doc": "string",
              "line_start": "int64"}
    for col, t in expect.items():
        if types.get(col) != t:
            fail(f"report column {col} is {types.get(col)}, not {t}")
    csv_rows = list(csv.DictReader(io.StringIO(scan(dedup, path.parent).stdout.decode())))
    got = table.to_pylist()
    if len(got) != len(csv_rows):
        fail(f"report: {len(got)} Parquet rows, {len(csv_rows)} CSV rows")
    for a, b in zip(got, csv_rows):
        for col in ("doc", "start", "end", "kind", "keep_doc", "id", "keep_id", "preview"):
            va = "" if a[col] is None else str(a[col])
            vb = b[col][1:] if b[col][:1] == "'" else b[col]  # the CSV's formula guard
            if va != vb:
                fail(f"report row {a['doc']} {col}: {va!r} vs CSV {vb!r}")
    print(f"parquet-test: --format parquet: {len(got)} typed rows, equal to the CSV")

    # 3. apply: the schema and the other columns kept, the texts those of the JSONL apply.
    subprocess.run([dedup, "scan", "-q", "-o", str(work / "jsonl.csv"), str(work / "jsonl")], check=True)
    subprocess.run([dedup, "apply", "-q", "--report", str(work / "jsonl.csv"), "--out",
                    str(work / "jsonl-out"), str(work / "jsonl")], check=True)
    applied = [json.loads(l) for l in (work / "jsonl-out/c.jsonl").read_text().splitlines()]
    for name, path in files.items():
        folder = path.parent
        rep = work / f"{name}.csv"
        subprocess.run([dedup, "scan", "-q", "-o", str(rep), str(folder)], check=True)
        out = work / f"{name}-out"
        subprocess.run([dedup, "apply", "-q", "--report", str(rep), "--out", str(out), str(folder)],
                       check=True)
        before, after = pq.read_table(path), pq.read_table(out / path.name)
        if before.schema != after.schema or before.schema.metadata != after.schema.metadata:
            fail(f"{name}: apply changed the schema:\n{before.schema}\n{after.schema}")
        kept = {r["id"]: r for r in before.to_pylist()}
        rows = after.to_pylist()
        if [r["id"] for r in rows] != [r["id"] for r in applied]:
            fail(f"{name}: apply kept other rows than on the JSONL shard")
        for row, want_row in zip(rows, applied):
            if row["text"] != want_row["text"]:
                fail(f"{name}: id {row['id']}: text differs from the JSONL apply")
            for col, v in row.items():
                if col != "text" and v != kept[row["id"]][col]:
                    fail(f"{name}: id {row['id']}: column {col} changed")
        print(f"parquet-test: {name}: apply kept {len(rows)} of {len(before)} rows, schema and "
              f"other columns untouched, texts = the JSONL apply's")
    # The Parquet report as apply's report.
    path = files["pyarrow-string"]
    out = work / "by-parquet-report"
    subprocess.run([dedup, "apply", "-q", "--report", str(report), "--out", str(out),
                    str(path.parent)], check=True)
    if pq.read_table(out / path.name) != pq.read_table(work / "pyarrow-string-out" / path.name):
        fail("apply with the Parquet report differs from apply with the CSV")
    print("parquet-test: apply reads the Parquet report")
    # The report rewritten by Polars (large strings) is still a report.
    polars_report = work / "report-polars.parquet"
    pl.read_parquet(report).write_parquet(polars_report)
    out = work / "by-polars-report"
    subprocess.run([dedup, "apply", "-q", "--report", str(polars_report), "--out", str(out),
                    str(path.parent)], check=True)
    if pq.read_table(out / path.name) != pq.read_table(work / "pyarrow-string-out" / path.name):
        fail("apply with the report rewritten by Polars differs")
    print("parquet-test: apply reads the report rewritten by Polars")

    # Spark's INT96 timestamps, out of the nanosecond range, survive apply.
    import datetime
    d = work / "int96"
    d.mkdir()
    stamps = [datetime.datetime(1500, 1, 1) + datetime.timedelta(days=i) for i in range(n)]
    stamps[-1] = datetime.datetime(9999, 12, 31)
    pq.write_table(pa.table({"id": ids, "text": texts, "ts": pa.array(stamps, pa.timestamp("us"))}),
                   d / "c.parquet", use_deprecated_int96_timestamps=True)
    subprocess.run([dedup, "scan", "-q", "-o", str(work / "int96.csv"), str(d)], check=True)
    subprocess.run([dedup, "apply", "-q", "--report", str(work / "int96.csv"), "--out",
                    str(work / "int96-out"), str(d)], check=True)
    kept = {r["id"]: r["ts"] for r in pq.read_table(work / "int96-out/c.parquet").to_pylist()}
    want = dict(zip(ids, stamps))
    if not kept or any(want[i] != ts for i, ts in kept.items()):
        fail("apply changed INT96 timestamps")
    print(f"parquet-test: INT96 timestamps (years 1500-9999) kept through apply ({len(kept)} rows)")


if __name__ == "__main__":
    main()
