//! Table definitions shared by both backends (see `portable.rs` for `Id`, `Timestamp`, `Json`).

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    users (id) {
        id -> Id,
        email -> Text,
        password_hash -> Text,
        name -> Text,
        role -> Text,
        created_at -> Instant,
        updated_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    refresh_tokens (id) {
        id -> Id,
        user_id -> Id,
        family_id -> Id,
        token_hash -> Text,
        expires_at -> Instant,
        used_at -> Nullable<Instant>,
        revoked_at -> Nullable<Instant>,
        created_at -> Instant,
    }
}

diesel::table! {
    categories (slug) {
        slug -> Text,
        name -> Text,
        name_en -> Text,
        position -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    sellers (id) {
        id -> Id,
        user_id -> Id,
        business_name -> Text,
        story -> Text,
        sector -> Nullable<Text>,
        kecamatan -> Nullable<Text>,
        kelurahan -> Nullable<Text>,
        whatsapp -> Nullable<Text>,
        nib -> Nullable<Text>,
        status -> Text,
        version -> Integer,
        created_at -> Instant,
        updated_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    products (id) {
        id -> Id,
        seller_id -> Id,
        title -> Text,
        description -> Text,
        title_en -> Nullable<Text>,
        description_en -> Nullable<Text>,
        category -> Text,
        technique -> Text,
        materials -> JsonDoc,
        price_idr -> BigInt,
        sku -> Text,
        weight_grams -> Integer,
        dimensions_cm -> Nullable<JsonDoc>,
        status -> Text,
        version -> Integer,
        created_at -> Instant,
        updated_at -> Instant,
        published_at -> Nullable<Instant>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    product_variants (id) {
        id -> Id,
        product_id -> Id,
        seller_id -> Id,
        sku -> Text,
        options -> JsonDoc,
        price_idr -> Nullable<BigInt>,
        position -> Integer,
        created_at -> Instant,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(sellers -> users (user_id));
diesel::joinable!(products -> sellers (seller_id));
diesel::joinable!(product_variants -> products (product_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    refresh_tokens,
    categories,
    sellers,
    products,
    product_variants,
);
