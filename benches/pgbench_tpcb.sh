#!/usr/bin/env bash
# The anchor for `kriya bench sales`: pgbench's TPC-B-like transaction on the same PostgreSQL
# server, with the same client counts. Prints tps and per-transaction latency percentiles.
#   benches/pgbench_tpcb.sh [clients...]      (default: 4 16 64)
set -euo pipefail
host=${PGHOST:-127.0.0.1}
db=kriya_pgbench_tpcb
seconds=${SECONDS_PER_RUN:-20}
psql -h "$host" -U postgres -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
pgbench -h "$host" -U postgres -i -s 10 -q "$db" >/dev/null 2>&1
logdir=$(mktemp -d)
for c in "${@:-4 16 64}"; do
  for clients in $c; do
    rm -f "$logdir"/pgbench_log.*
    out=$(pgbench -h "$host" -U postgres -c "$clients" -j 2 -T "$seconds" -l --log-prefix="$logdir/pgbench_log" "$db" 2>&1)
    tps=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    cat "$logdir"/pgbench_log.* | python3 -c "
import sys
lat = sorted(int(l.split()[2]) for l in sys.stdin if l.strip())
p = lambda q: lat[min(len(lat) - 1, round(q / 100 * (len(lat) - 1)))] / 1000
print(f'pgbench TPC-B: $clients clients: {float(\"$tps\"):.0f} tps, p50 {p(50):.1f} ms, p99 {p(99):.1f} ms ({len(lat)} transactions)')
"
  done
done
psql -h "$host" -U postgres -q -c "DROP DATABASE $db"
rm -rf "$logdir"
