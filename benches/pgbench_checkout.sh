#!/usr/bin/env bash
# The database's own ceiling for `kriya bench orders`: pgbench sends the statements of one
# one-unit checkout, as Kriya sends them (claim the key, price the line, take the unit,
# number the order, then one statement that writes the reservation, the ledger row, the
# search outbox row, the order, its part, line and first event, the webhook event and the
# stored answer), with no HTTP and no application in front. Ids are time-ordered like
# Kriya's; the event and the stored answer are as long as a real one-line order's JSON.
# Kriya cannot check out faster than this on the same server; compare both with TPC-B.
# The schema is Kriya's own, applied by the binary under test.
#   benches/pgbench_checkout.sh [clients...]      (default: 16)
#   KRIYA=path/to/kriya (default: target/release/kriya)
set -euo pipefail
host=${PGHOST:-127.0.0.1}
db=kriya_pgbench_checkout
seconds=${SECONDS_PER_RUN:-15}
kriya=${KRIYA:-target/release/kriya}
psql -h "$host" -U postgres -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
KRIYA_DATABASE_URL="postgres://postgres@$host/$db" KRIYA_JWT_SECRET=pgbench-checkout-0123456789abcdef \
  KRIYA_LOG=error "$kriya" migrate >/dev/null
psql -h "$host" -U postgres -q -d "$db" <<'SQL'
CREATE FUNCTION bench_id() RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT (lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000000)::bigint), 14, '0')
          || substr(md5(random()::text), 1, 18))::uuid $$;
CREATE FUNCTION bench_n(kind int, n int) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
  SELECT ('00000000-0000-7000-8000-' || lpad(kind::text, 4, '0') || lpad(n::text, 8, '0'))::uuid $$;
INSERT INTO users VALUES (bench_n(1, 0), 'seller@bench.kriya', '!', 'Seller', 'seller', now(), now());
INSERT INTO users SELECT bench_n(2, i), 'buyer-' || i || '@bench.kriya', '!', 'Buyer', 'buyer', now(), now()
  FROM generate_series(1, 64) i;
INSERT INTO sellers (id, user_id, business_name, status, created_at, updated_at)
  VALUES (bench_n(3, 0), bench_n(1, 0), 'Daun Abadi', 'active', now(), now());
INSERT INTO products (id, seller_id, title, description, category, technique, materials, price_idr,
    sku, weight_grams, status, version, created_at, updated_at, published_at)
  VALUES (bench_n(4, 0), bench_n(3, 0), 'Kalung Daun Jati', 'Electroformed from a real teak leaf.',
    'electroforming-jewellery', 'electroforming', '["tembaga"]', 185555, 'BENCH', 20, 'published',
    1, now(), now(), now());
INSERT INTO product_variants SELECT bench_n(5, i), bench_n(4, 0), bench_n(3, 0), 'BENCH-' || i,
    jsonb_build_object('no', i::text), NULL, i, now() FROM generate_series(0, 19) i;
INSERT INTO stock_balances SELECT id, 'own', 'own', NULL, NULL, 1000000000 FROM product_variants;
SQL
script=$(mktemp)
cat >"$script" <<'SQL'
\set b random(1, 64)
\set v random(0, 19)
\set k random(1, 2000000000)
BEGIN;
INSERT INTO idempotency_keys (user_id, key, request_hash, status_code, response_body, created_at) VALUES (bench_n(2, :b), :k || '-' || :client_id, '652c29594a7af1e19b4a8f7c310152c0cca464e6332fdf364d3893bf0c356cf5', 0, '', now()) ON CONFLICT DO NOTHING;
SELECT v.id, v.product_id, v.seller_id, v.sku, v.options, v.price_idr, v.position, v.created_at, p.id, p.seller_id, p.title, p.description, p.title_en, p.description_en, p.category, p.technique, p.materials, p.price_idr, p.sku, p.weight_grams, p.dimensions_cm, p.status, p.version, p.created_at, p.updated_at, p.published_at, s.id, s.user_id, s.business_name, s.story, s.sector, s.kecamatan, s.kelurahan, s.whatsapp, s.nib, s.status, s.version, s.created_at, s.updated_at, s.mentor_seller_id FROM product_variants v JOIN (products p JOIN sellers s ON p.seller_id = s.id) ON v.product_id = p.id WHERE v.id = ANY(ARRAY[bench_n(5, :v)]);
UPDATE stock_balances SET quantity = quantity - 1 WHERE variant_id = bench_n(5, :v) AND location = 'own' AND quantity >= 1 RETURNING quantity;
SELECT next_order_number(2026) AS n \gset
WITH ids AS MATERIALIZED (SELECT bench_id() AS part, bench_id() AS ord),
w0 AS (INSERT INTO stock_balances (variant_id, location, kind, hotel_id, agreement_id, quantity) SELECT bench_n(5, :v), 'reserved:' || part, 'reserved', NULL, NULL, 1 FROM ids ON CONFLICT (variant_id, location) DO UPDATE SET quantity = stock_balances.quantity + excluded.quantity),
w1 AS (INSERT INTO stock_movements (id, product_id, variant_id, from_location, to_location, quantity, reason, note, reference_id, actor_id, created_at) SELECT bench_id(), bench_n(4, 0), bench_n(5, :v), 'own', 'reserved:' || part, 1, 'reserve', NULL, part, bench_n(2, :b), now() FROM ids),
w2 AS (INSERT INTO search_outbox (topic, subject_id, enqueued_at, available_at) VALUES ('stock', bench_n(4, 0), now(), now())),
w3 AS (INSERT INTO orders (id, number, buyer_id, recipient, phone, address, kelurahan, kecamatan, city, province, postal_code, note, created_at) SELECT ord, 'KRY-2026-' || lpad(:n::text, 6, '0'), bench_n(2, :b), 'Sri Wahyuni', '+6281234567890', 'Jl. Ijen No. 25', NULL, NULL, 'Malang', 'Jawa Timur', '65119', NULL, now() FROM ids),
w4 AS (INSERT INTO order_parts (id, order_id, seller_id, status, items_idr, shipping_idr, payment_reference, courier, tracking_number, cancel_reason, step_at, created_at) SELECT part, ord, bench_n(3, 0), 'awaiting_confirmation', 185555, NULL, NULL, NULL, NULL, NULL, now(), now() FROM ids),
w5 AS (INSERT INTO order_lines (id, part_id, position, product_id, variant_id, sku, title, options, quantity, unit_price_idr, line_idr) SELECT bench_id(), part, 0, bench_n(4, 0), bench_n(5, :v), 'BENCH-' || :v, 'Kalung Daun Jati', jsonb_build_object('no', :v::text), 1, 185555, 185555 FROM ids),
w6 AS (INSERT INTO order_part_events (id, part_id, status, actor, actor_id, note, at) SELECT bench_id(), part, 'awaiting_confirmation', 'buyer', bench_n(2, :b), NULL, now() FROM ids),
w7 AS (INSERT INTO webhook_events (id, type, body, seller_id, hotel_id, admins, endpoint_id, created_at, fanned_out) SELECT bench_id(), 'order.created', repeat('x', 1420), bench_n(3, 0), NULL, false, NULL, now(), false FROM ids)
UPDATE idempotency_keys SET status_code = 201, response_body = repeat('y', 1350) WHERE user_id = bench_n(2, :b) AND key = :k || '-' || :client_id;
COMMIT;
SQL
for clients in "${@:-16}"; do
  out=$(pgbench -h "$host" -U postgres -n -M prepared -c "$clients" -j 2 -T "$seconds" -f "$script" "$db" 2>&1)
  tps=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | cut -d. -f1)
  [ -n "$tps" ] || { echo "$out" >&2; exit 1; }
  echo "a checkout's statements: $clients clients: $tps tps, $(echo "$out" | grep 'latency average')"
done
psql -h "$host" -U postgres -q -c "DROP DATABASE $db"
rm -f "$script"
