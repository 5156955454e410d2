#!/usr/bin/env python3
"""Same-run reference for `vigil bench`: times the six workloads on DuckDB and SQLite with the SQL of
../shared/bench/baseline.py (imported, not copied) and writes medians plus DuckDB's result rows, so
Vigil can check its own results against them.

    python3 bench/reference.py --shared ../shared --data bench-data/1m --out ref.json [--engines duckdb,sqlite] [--runs 5]

At a scale that does not fit in memory, DuckDB works on its own database file: `--append DIR` adds the
CSVs of DIR to `--duckdb-file` (created with the first), and `--duckdb-file` alone runs the workloads on
it. Results of more than --max-rows rows are reported by count only.
"""
import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time


def norm(v):
    """Each value as the text Vigil's side writes for it: reals to 6 places, datetimes as epoch ms."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        return "%.6f" % v
    if isinstance(v, dt.datetime):
        return str(int(v.replace(tzinfo=dt.timezone.utc).timestamp() * 1000))
    return str(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--engines", default="duckdb,sqlite")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--queries", default="")
    ap.add_argument("--duckdb-file", default="")
    ap.add_argument("--append", default="")
    ap.add_argument("--max-rows", type=int, default=200000)
    a = ap.parse_args()
    sys.path.insert(0, os.path.join(a.shared, "bench"))
    import baseline as b
    if a.append:
        append(a.duckdb_file, a.append, a.out)
        return

    truth = b.load_truth(a.data)
    now = truth["now"].replace("T", " ").replace("Z", "")
    now_ms = int(dt.datetime.fromisoformat(truth["now"].replace("Z", "+00:00")).timestamp() * 1000)
    out = {"machine": b.machine_facts(), "engines": {}}
    wanted = [w for w in b.WORKLOADS if not a.queries or w["id"] in a.queries.split(",")]
    for engine in a.engines.split(","):
        if engine == "duckdb" and a.duckdb_file:
            import duckdb
            source = "file"
            t = time.perf_counter()
            con = duckdb.connect(a.duckdb_file, read_only=True)
            con.execute("SET threads TO 2")
            load_s = time.perf_counter() - t
        elif engine == "duckdb":
            source = "parquet" if os.path.exists(os.path.join(a.data, "SecurityEvent.parquet")) else "csv"
            con, load_s = b.duckdb_connect(a.data, source, 2)
        else:
            source = "csv"
            con, load_s = b.sqlite_connect(a.data, source, os.path.join(a.data, "baseline.sqlite"), False)
        res = {"load_s": load_s, "source": source, "workloads": {}}
        for w in wanted:
            sql = w[engine].format(now=now, now_ms=now_ms)
            times, rows = [], None
            for _ in range(a.runs):
                t = time.perf_counter()
                rows = con.execute(sql).fetchall()
                times.append(time.perf_counter() - t)
            med = statistics.median(times)
            n_in = truth["rows"][w["table"]]
            entry = {"median_s": med, "rows_per_s": n_in / med, "result_rows": len(rows)}
            if engine == "duckdb" and len(rows) <= a.max_rows:
                entry["rows"] = [[norm(v) for v in r] for r in rows]
            res["workloads"][w["id"]] = entry
            print("%s %s %.4fs %d rows" % (engine, w["id"], med, len(rows)), file=sys.stderr, flush=True)
        out["engines"][engine] = res
        con.close()
    with open(a.out, "w") as f:
        json.dump(out, f)


def append(path, data, out):
    """Adds DIR's SecurityEvent.csv and SigninLogs.csv to the DuckDB file, typed as baseline.py types them."""
    import duckdb
    t = time.perf_counter()
    con = duckdb.connect(path)
    con.execute("SET threads TO 2")
    have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    for table in ("SecurityEvent", "SigninLogs"):
        src = "SELECT * REPLACE (CAST(TimeGenerated AS TIMESTAMP) AS TimeGenerated) FROM read_csv('%s', header=true, auto_detect=true)" % os.path.join(data, table + ".csv")
        if table in have:
            con.execute("INSERT INTO %s BY NAME %s" % (table, src))
        else:
            con.execute("CREATE TABLE %s AS %s" % (table, src))
    con.execute("CHECKPOINT")
    con.close()
    with open(out, "w") as f:
        json.dump({"seconds": time.perf_counter() - t, "bytes": os.path.getsize(path)}, f)


if __name__ == "__main__":
    main()
