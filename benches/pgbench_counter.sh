#!/usr/bin/env bash
# The ceiling of gapless numbering, for `kriya bench orders`: every checkout of a year takes
# the next order number from one counter row, locked from its update to its commit. Here
# pgbench does only that: bump one row and insert one row, one transaction each, at the
# given client counts, on the same server. No checkout can run faster than this.
#   benches/pgbench_counter.sh [clients...]      (default: 16)
set -euo pipefail
host=${PGHOST:-127.0.0.1}
db=kriya_pgbench_counter
seconds=${SECONDS_PER_RUN:-15}
psql -h "$host" -U postgres -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql -h "$host" -U postgres -q -d "$db" \
  -c "CREATE TABLE counter (year INT PRIMARY KEY, last_seq INT NOT NULL)" \
  -c "INSERT INTO counter VALUES (2026, 0)" \
  -c "CREATE TABLE numbered (seq INT PRIMARY KEY, at TIMESTAMPTZ NOT NULL)"
script=$(mktemp)
cat >"$script" <<'SQL'
BEGIN;
UPDATE counter SET last_seq = last_seq + 1 WHERE year = 2026 RETURNING last_seq \gset
INSERT INTO numbered VALUES (:last_seq, now());
END;
SQL
for clients in "${@:-16}"; do
  out=$(pgbench -h "$host" -U postgres -n -M prepared -c "$clients" -j 2 -T "$seconds" -f "$script" "$db" 2>&1)
  echo "one counter row: $clients clients: $(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | cut -d. -f1) tps, $(echo "$out" | grep 'latency average')"
done
psql -h "$host" -U postgres -q -c "DROP DATABASE $db"
rm -f "$script"
