#!/usr/bin/env python3
"""Same-run reference for `vigil bench`: times the six workloads on DuckDB and SQLite with the SQL of
../shared/bench/baseline.py (imported, not copied) and writes medians plus DuckDB's result rows, so
Vigil can check its own results against them.

    python3 bench/reference.py --shared ../shared --data bench-data/1m --out ref.json [--engines duckdb,sqlite] [--runs 5]
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
    a = ap.parse_args()
    sys.path.insert(0, os.path.join(a.shared, "bench"))
    import baseline as b

    truth = b.load_truth(a.data)
    now = truth["now"].replace("T", " ").replace("Z", "")
    now_ms = int(dt.datetime.fromisoformat(truth["now"].replace("Z", "+00:00")).timestamp() * 1000)
    out = {"machine": b.machine_facts(), "engines": {}}
    wanted = [w for w in b.WORKLOADS if not a.queries or w["id"] in a.queries.split(",")]
    for engine in a.engines.split(","):
        if engine == "duckdb":
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
            if engine == "duckdb":
                entry["rows"] = [[norm(v) for v in r] for r in rows]
            res["workloads"][w["id"]] = entry
            print("%s %s %.4fs %d rows" % (engine, w["id"], med, len(rows)), file=sys.stderr, flush=True)
        out["engines"][engine] = res
        con.close()
    with open(a.out, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
