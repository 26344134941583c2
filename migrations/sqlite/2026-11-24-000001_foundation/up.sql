CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('buyer', 'seller', 'hotel', 'admin')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Refresh tokens are stored hashed; a token is used once, and reusing one revokes its family.
CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    revoked_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

CREATE TABLE categories (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    position INTEGER NOT NULL
);
INSERT INTO categories (slug, name, name_en, position) VALUES
    ('electroforming-jewellery', 'Perhiasan Electroforming', 'Electroforming jewellery', 1),
    ('batik', 'Batik', 'Batik', 2),
    ('fashion', 'Fesyen', 'Fashion', 3),
    ('home-decor', 'Dekorasi Rumah', 'Home decor', 4),
    ('other-crafts', 'Kerajinan Lain', 'Other crafts', 5);

CREATE TABLE sellers (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL UNIQUE REFERENCES users (id),
    business_name TEXT NOT NULL,
    story TEXT NOT NULL DEFAULT '',
    sector TEXT REFERENCES categories (slug),
    kecamatan TEXT CHECK (kecamatan IN ('Blimbing', 'Klojen', 'Kedungkandang', 'Sukun', 'Lowokwaru')),
    kelurahan TEXT,
    whatsapp TEXT,
    nib TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'suspended')),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX sellers_status_idx ON sellers (status, id);

CREATE TABLE products (
    id TEXT PRIMARY KEY,
    seller_id TEXT NOT NULL REFERENCES sellers (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    title_en TEXT,
    description_en TEXT,
    category TEXT NOT NULL REFERENCES categories (slug),
    technique TEXT NOT NULL,
    materials TEXT NOT NULL,
    price_idr BIGINT NOT NULL CHECK (price_idr > 0),
    sku TEXT NOT NULL,
    weight_grams INTEGER NOT NULL CHECK (weight_grams > 0),
    dimensions_cm TEXT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    published_at TEXT,
    UNIQUE (seller_id, sku)
);
CREATE INDEX products_status_idx ON products (status, id);
CREATE INDEX products_seller_idx ON products (seller_id, id);
CREATE INDEX products_category_idx ON products (category, id);

CREATE TABLE product_variants (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products (id),
    seller_id TEXT NOT NULL REFERENCES sellers (id),
    sku TEXT NOT NULL,
    options TEXT NOT NULL,
    price_idr BIGINT CHECK (price_idr IS NULL OR price_idr > 0),
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (seller_id, sku)
);
CREATE INDEX product_variants_product_idx ON product_variants (product_id, position);
