CREATE TABLE users (
    id UUID PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('buyer', 'seller', 'hotel', 'admin')),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Refresh tokens are stored hashed; a token is used once, and reusing one revokes its family.
CREATE TABLE refresh_tokens (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id UUID NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
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
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL UNIQUE REFERENCES users (id),
    business_name TEXT NOT NULL,
    story TEXT NOT NULL DEFAULT '',
    sector TEXT REFERENCES categories (slug),
    kecamatan TEXT CHECK (kecamatan IN ('Blimbing', 'Klojen', 'Kedungkandang', 'Sukun', 'Lowokwaru')),
    kelurahan TEXT,
    whatsapp TEXT,
    nib TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'suspended')),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sellers_status_idx ON sellers (status, id);

CREATE TABLE products (
    id UUID PRIMARY KEY,
    seller_id UUID NOT NULL REFERENCES sellers (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    title_en TEXT,
    description_en TEXT,
    category TEXT NOT NULL REFERENCES categories (slug),
    technique TEXT NOT NULL,
    materials JSONB NOT NULL,
    price_idr BIGINT NOT NULL CHECK (price_idr > 0),
    sku TEXT NOT NULL,
    weight_grams INTEGER NOT NULL CHECK (weight_grams > 0),
    dimensions_cm JSONB,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    version INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    published_at TIMESTAMPTZ,
    UNIQUE (seller_id, sku)
);
CREATE INDEX products_status_idx ON products (status, id);
CREATE INDEX products_seller_idx ON products (seller_id, id);
CREATE INDEX products_category_idx ON products (category, id);

CREATE TABLE product_variants (
    id UUID PRIMARY KEY,
    product_id UUID NOT NULL REFERENCES products (id),
    seller_id UUID NOT NULL REFERENCES sellers (id),
    sku TEXT NOT NULL,
    options JSONB NOT NULL,
    price_idr BIGINT CHECK (price_idr IS NULL OR price_idr > 0),
    position INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (seller_id, sku)
);
CREATE INDEX product_variants_product_idx ON product_variants (product_id, position);
