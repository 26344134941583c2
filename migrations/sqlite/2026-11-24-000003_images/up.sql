CREATE TABLE product_images (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products (id),
    seller_id TEXT NOT NULL REFERENCES sellers (id),
    position INTEGER NOT NULL,
    width INTEGER NOT NULL CHECK (width > 0),
    height INTEGER NOT NULL CHECK (height > 0),
    blurhash TEXT NOT NULL,
    original_key TEXT NOT NULL,
    original_format TEXT NOT NULL CHECK (original_format IN ('jpeg', 'png', 'webp')),
    original_bytes BIGINT NOT NULL,
    -- [{name, width, height, format, key, bytes, etag}], largest first
    renditions TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX product_images_product_idx ON product_images (product_id, position);
