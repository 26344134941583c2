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
        mentor_seller_id -> Nullable<Id>,
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

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    hotels (id) {
        id -> Id,
        user_id -> Id,
        name -> Text,
        address -> Text,
        kecamatan -> Text,
        phri_number -> Text,
        contact_name -> Text,
        contact_phone -> Text,
        status -> Text,
        version -> Integer,
        created_at -> Instant,
        updated_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    consignment_agreements (id) {
        id -> Id,
        seller_id -> Id,
        hotel_id -> Id,
        commission_bps -> Integer,
        term_days -> Integer,
        status -> Text,
        created_at -> Instant,
        accepted_at -> Nullable<Instant>,
        ended_at -> Nullable<Instant>,
        ended_by -> Nullable<Id>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    consignments (id) {
        id -> Id,
        agreement_id -> Id,
        seller_id -> Id,
        hotel_id -> Id,
        status -> Text,
        dispatched_at -> Instant,
        received_at -> Nullable<Instant>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    consignment_lines (id) {
        id -> Id,
        consignment_id -> Id,
        product_id -> Id,
        variant_id -> Id,
        quantity -> Integer,
        unit_price_idr -> BigInt,
        quantity_received -> Nullable<Integer>,
        label_code -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    stock_balances (variant_id, location) {
        variant_id -> Id,
        location -> Text,
        kind -> Text,
        hotel_id -> Nullable<Id>,
        agreement_id -> Nullable<Id>,
        quantity -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    stock_movements (id) {
        id -> Id,
        product_id -> Id,
        variant_id -> Id,
        from_location -> Nullable<Text>,
        to_location -> Text,
        quantity -> BigInt,
        reason -> Text,
        note -> Nullable<Text>,
        reference_id -> Nullable<Id>,
        actor_id -> Nullable<Id>,
        created_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    shelf_lots (id) {
        id -> Id,
        agreement_id -> Id,
        hotel_id -> Id,
        seller_id -> Id,
        product_id -> Id,
        variant_id -> Id,
        consignment_id -> Id,
        unit_price_idr -> BigInt,
        quantity_received -> Integer,
        quantity_remaining -> Integer,
        received_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    hotel_sales (id) {
        id -> Id,
        hotel_id -> Id,
        sold_at -> Instant,
        total_idr -> BigInt,
        recorded_by -> Id,
        created_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    hotel_sale_lines (id) {
        id -> Id,
        sale_id -> Id,
        agreement_id -> Id,
        product_id -> Id,
        variant_id -> Id,
        quantity -> Integer,
        unit_price_idr -> BigInt,
        commission_bps -> Integer,
        sold_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    hotel_returns (id) {
        id -> Id,
        hotel_id -> Id,
        agreement_id -> Id,
        recorded_by -> Id,
        created_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    stock_counts (id) {
        id -> Id,
        hotel_id -> Id,
        recorded_by -> Id,
        counted_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    stock_count_lines (id) {
        id -> Id,
        count_id -> Id,
        agreement_id -> Id,
        variant_id -> Id,
        expected -> Integer,
        counted -> Integer,
        missing -> Integer,
        charge_idr -> BigInt,
        counted_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    statements (agreement_id, period) {
        agreement_id -> Id,
        period -> Text,
        snapshot -> JsonDoc,
        net_idr -> BigInt,
        closed_at -> Instant,
        closed_by -> Id,
        paid_at -> Nullable<Instant>,
        paid_by -> Nullable<Id>,
        payout_reference -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    idempotency_keys (user_id, key) {
        user_id -> Id,
        key -> Text,
        request_hash -> Text,
        status_code -> Integer,
        response_body -> Text,
        created_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    product_images (id) {
        id -> Id,
        product_id -> Id,
        seller_id -> Id,
        position -> Integer,
        width -> Integer,
        height -> Integer,
        blurhash -> Text,
        original_key -> Text,
        original_format -> Text,
        original_bytes -> BigInt,
        renditions -> JsonDoc,
        created_at -> Instant,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(sellers -> users (user_id));
diesel::joinable!(products -> sellers (seller_id));
diesel::joinable!(product_variants -> products (product_id));
diesel::joinable!(hotels -> users (user_id));
diesel::joinable!(consignment_agreements -> hotels (hotel_id));
diesel::joinable!(consignment_agreements -> sellers (seller_id));
diesel::joinable!(consignment_lines -> consignments (consignment_id));
diesel::joinable!(shelf_lots -> product_variants (variant_id));
diesel::joinable!(hotel_sale_lines -> hotel_sales (sale_id));
diesel::joinable!(stock_count_lines -> stock_counts (count_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    refresh_tokens,
    categories,
    sellers,
    products,
    product_variants,
    hotels,
    consignment_agreements,
    consignments,
    consignment_lines,
    stock_balances,
    stock_movements,
    shelf_lots,
    hotel_sales,
    hotel_sale_lines,
    hotel_returns,
    stock_counts,
    stock_count_lines,
    statements,
    idempotency_keys,
    product_images,
);

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;
    search_outbox (id) {
        id -> BigInt,
        topic -> Text,
        subject_id -> Nullable<Id>,
        enqueued_at -> Instant,
        available_at -> Instant,
        attempts -> Integer,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    order_numbers (year) {
        year -> Integer,
        last_seq -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    orders (id) {
        id -> Id,
        number -> Text,
        buyer_id -> Id,
        recipient -> Text,
        phone -> Text,
        address -> Text,
        kelurahan -> Nullable<Text>,
        kecamatan -> Nullable<Text>,
        city -> Text,
        province -> Text,
        postal_code -> Text,
        note -> Nullable<Text>,
        created_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    order_parts (id) {
        id -> Id,
        order_id -> Id,
        seller_id -> Id,
        status -> Text,
        items_idr -> BigInt,
        shipping_idr -> Nullable<BigInt>,
        payment_reference -> Nullable<Text>,
        courier -> Nullable<Text>,
        tracking_number -> Nullable<Text>,
        cancel_reason -> Nullable<Text>,
        step_at -> Instant,
        created_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    order_lines (id) {
        id -> Id,
        part_id -> Id,
        position -> Integer,
        product_id -> Id,
        variant_id -> Id,
        sku -> Text,
        title -> Text,
        options -> JsonDoc,
        quantity -> BigInt,
        unit_price_idr -> BigInt,
        line_idr -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    order_part_events (id) {
        id -> Id,
        part_id -> Id,
        status -> Text,
        actor -> Text,
        actor_id -> Nullable<Id>,
        note -> Nullable<Text>,
        at -> Instant,
        declined -> Bool,
    }
}

diesel::joinable!(order_parts -> orders (order_id));
diesel::joinable!(order_lines -> order_parts (part_id));
diesel::joinable!(order_part_events -> order_parts (part_id));
diesel::allow_tables_to_appear_in_same_query!(orders, order_parts, order_lines, order_part_events);

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    webhook_endpoints (id) {
        id -> Id,
        owner_user_id -> Id,
        owner_kind -> Text,
        party_id -> Nullable<Id>,
        url -> Text,
        events -> JsonDoc,
        description -> Nullable<Text>,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Instant>,
        failing_since -> Nullable<Instant>,
        version -> Integer,
        created_at -> Instant,
        updated_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    webhook_events (id) {
        id -> Id,
        #[sql_name = "type"]
        kind -> Text,
        body -> Text,
        seller_id -> Nullable<Id>,
        hotel_id -> Nullable<Id>,
        admins -> Bool,
        endpoint_id -> Nullable<Id>,
        created_at -> Instant,
        fanned_out -> Bool,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    webhook_deliveries (id) {
        id -> Id,
        endpoint_id -> Id,
        event_id -> Id,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Instant>,
        created_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    webhook_attempts (id) {
        id -> Id,
        delivery_id -> Id,
        number -> Integer,
        at -> Instant,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
        response_excerpt -> Nullable<Text>,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_deliveries -> webhook_events (event_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::allow_tables_to_appear_in_same_query!(
    webhook_endpoints,
    webhook_events,
    webhook_deliveries,
    webhook_attempts
);

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    trainings (id) {
        id -> Id,
        title -> Text,
        sector -> Text,
        held_from -> Text,
        held_to -> Text,
        venue -> Text,
        organiser -> Text,
        version -> Integer,
        created_at -> Instant,
        updated_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::portable::sql_types::*;

    training_participants (id) {
        id -> Id,
        training_id -> Id,
        name -> Text,
        whatsapp -> Text,
        kelurahan -> Nullable<Text>,
        seller_id -> Nullable<Id>,
        created_at -> Instant,
        rejected_seller_id -> Nullable<Id>,
    }
}

diesel::joinable!(training_participants -> trainings (training_id));
diesel::allow_tables_to_appear_in_same_query!(trainings, training_participants, sellers);
