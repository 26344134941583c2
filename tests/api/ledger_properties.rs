//! Property test: any sequence of stock operations keeps the books exact. Each operation runs
//! through the same service functions the API uses, in its own transaction; a refused one
//! must change nothing. After every step the balances equal a simple model and the ledger
//! recomputes to the balances: own + in transit + shelves + reserved for online orders +
//! sold + sold online + missing + adjusted out = everything ever added.

use diesel::prelude::*;
use kriya::auth::AuthUser;
use kriya::auth::access::Actor;
use kriya::db::connection::{build_pool, run_migrations};
use kriya::db::hotels::HotelRow;
use kriya::db::products::ProductRow;
use kriya::db::variants::VariantRow;
use kriya::db::{DbConn, write_tx};
use kriya::domain::account::Role;
use kriya::domain::consignment::Bps;
use kriya::domain::money::PriceIdr;
use kriya::domain::order::FairUse;
use kriya::domain::{new_id, now};
use kriya::error::AppError;
use kriya::services::idempotency::{Claim, Once};
use kriya::services::orders::lifecycle::{self, Step};
use kriya::services::orders::view::ShippingAddress;
use kriya::services::orders::{OrderItem, PlaceOrder};
use kriya::services::shelf::SaleItem;
use kriya::services::{agreements, orders, shelf, shipments, stock};
use proptest::prelude::*;
use uuid::Uuid;

use crate::support::{Backend, migrated_database};

#[derive(Clone, Debug)]
enum Op {
    Restock(i64),
    Correct(i64),
    Dispatch(i64),
    Receive {
        pick: usize,
        percent: i64,
    },
    Return(i64),
    Sell(i64),
    Count {
        shortfall: i64,
    },
    CountSurplus,
    /// A buyer orders units online (reserved from own stock).
    Order(i64),
    /// An open part completes (all its steps) or its seller cancels it.
    Finish {
        pick: usize,
        complete: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1i64..8).prop_map(Op::Restock),
        (1i64..8).prop_map(Op::Correct),
        (1i64..8).prop_map(Op::Dispatch),
        (0usize..4, 0i64..=100).prop_map(|(pick, percent)| Op::Receive { pick, percent }),
        (1i64..5).prop_map(Op::Return),
        (1i64..5).prop_map(Op::Sell),
        (0i64..3).prop_map(|shortfall| Op::Count { shortfall }),
        Just(Op::CountSurplus),
        (1i64..5).prop_map(Op::Order),
        (0usize..4, any::<bool>()).prop_map(|(pick, complete)| Op::Finish { pick, complete }),
    ]
}

#[derive(Default, Debug, Clone)]
struct Model {
    added: i64,
    own: i64,
    transit: Vec<(Uuid, i64)>,
    shelf: i64,
    sold: i64,
    missing: i64,
    adjusted_out: i64,
    /// Open parts of online orders and their units.
    parts: Vec<(Uuid, i64)>,
    reserved: i64,
    sold_online: i64,
}

struct World {
    seller_id: Uuid,
    seller_user: Uuid,
    hotel_id: Uuid,
    hotel_actor: Actor,
    agreement_id: Uuid,
    variant: VariantRow,
    buyer: Uuid,
}

fn user(conn: &mut DbConn, role: Role) -> Uuid {
    let email = format!("{}-{}@example.id", role.as_str(), Uuid::now_v7().simple());
    kriya::accounts::create_user(conn, &email, "a-long-password", None, role).unwrap()
}

fn world(conn: &mut DbConn) -> World {
    use kriya::db::schema::sellers;
    let seller_user = user(conn, Role::Seller);
    let seller = kriya::db::sellers::find_by_user(conn, seller_user)
        .unwrap()
        .unwrap();
    diesel::update(sellers::table.filter(sellers::id.eq(kriya::db::portable::DbId(seller.id))))
        .set(sellers::status.eq("active"))
        .execute(conn)
        .unwrap();
    let hotel_user = user(conn, Role::Hotel);
    let t = now();
    let hotel_id = new_id();
    kriya::db::hotels::insert(
        conn,
        HotelRow {
            id: hotel_id,
            user_id: hotel_user,
            name: "Hotel".into(),
            address: "Jl. Ijen 1".into(),
            kecamatan: "Klojen".into(),
            phri_number: "PHRI/1".into(),
            contact_name: "R".into(),
            contact_phone: "+62341555123".into(),
            status: "active".into(),
            version: 1,
            created_at: t,
            updated_at: t,
        },
    )
    .unwrap();
    let hotel_actor = Actor {
        user: Some(AuthUser {
            id: hotel_user,
            role: Role::Hotel,
        }),
        seller_id: None,
        hotel_id: Some(hotel_id),
    };
    let agreement =
        agreements::propose(conn, seller.id, hotel_id, Bps::parse(1750).unwrap(), 30).unwrap();
    agreements::accept(conn, &hotel_actor, agreement.id).unwrap();
    let product_id = new_id();
    let variant = VariantRow {
        id: new_id(),
        product_id,
        seller_id: seller.id,
        sku: format!("P-{}", &Uuid::now_v7().simple().to_string()[20..]),
        options: serde_json::json!({}),
        price_idr: None,
        position: 0,
        created_at: t,
    };
    kriya::db::products::insert(
        conn,
        ProductRow {
            id: product_id,
            seller_id: seller.id,
            title: "Kalung".into(),
            description: "Daun".into(),
            title_en: None,
            description_en: None,
            category: "batik".into(),
            technique: "cap".into(),
            materials: serde_json::json!(["cotton"]),
            price_idr: 1000,
            sku: variant.sku.clone(),
            weight_grams: 10,
            dimensions_cm: None,
            status: "published".into(),
            version: 1,
            created_at: t,
            updated_at: t,
            published_at: Some(kriya::db::portable::DbTime(t)),
        },
        vec![variant.clone()],
    )
    .unwrap();
    World {
        seller_id: seller.id,
        seller_user,
        hotel_id,
        hotel_actor,
        agreement_id: agreement.id,
        variant,
        buyer: user(conn, Role::Buyer),
    }
}

enum Outcome {
    /// Went through; a dispatch names its consignment.
    Done(Option<Uuid>),
    Refused,
}

/// Applies one operation to the database as the model stood before it.
fn apply(conn: &mut DbConn, w: &World, m: &Model, op: &Op) -> Result<Outcome, AppError> {
    let hotel = AuthUser {
        id: w.hotel_actor.user.unwrap().id,
        role: Role::Hotel,
    };
    let (buyer, seller) = (
        AuthUser {
            id: w.buyer,
            role: Role::Buyer,
        },
        AuthUser {
            id: w.seller_user,
            role: Role::Seller,
        },
    );
    // Orders run their own transactions, like the API.
    let online = match op {
        Op::Order(n) => Some(
            orders::place(
                conn,
                &buyer,
                PlaceOrder {
                    items: vec![OrderItem {
                        line: 0,
                        variant_id: w.variant.id,
                        quantity: *n,
                    }],
                    shipping: ShippingAddress {
                        recipient: "Sri".into(),
                        phone: "+6281234567890".into(),
                        address: "Jl. Ijen 25".into(),
                        kelurahan: None,
                        kecamatan: None,
                        city: "Malang".into(),
                        province: "Jawa Timur".into(),
                        postal_code: "65119".into(),
                    },
                    note: None,
                },
                &Claim {
                    user_id: w.buyer,
                    key: None,
                    fingerprint: String::new(),
                },
                // One buyer makes every order of the sequence: the ledger is under test here.
                FairUse::UNLIMITED,
            )
            .map(|once| match once {
                Once::Fresh(order) => Some(order.parts[0].id),
                Once::Replayed { .. } => None,
            }),
        ),
        Op::Finish { pick, complete } => {
            let (part, _) = m.parts[pick % m.parts.len()];
            let steps = if *complete {
                vec![
                    (
                        seller,
                        Step::Confirm {
                            shipping_idr: 9000,
                            note: None,
                        },
                    ),
                    (
                        seller,
                        Step::MarkPaid {
                            reference: "BCA".into(),
                        },
                    ),
                    (
                        seller,
                        Step::Ship {
                            courier: "JNE".into(),
                            tracking_number: "1".into(),
                        },
                    ),
                    (buyer, Step::Received),
                ]
            } else {
                vec![(
                    seller,
                    Step::Cancel {
                        reason: "habis".into(),
                    },
                )]
            };
            Some(
                steps
                    .into_iter()
                    .try_for_each(|(who, step)| lifecycle::step(conn, &who, part, step).map(drop))
                    .map(|()| None),
            )
        }
        _ => None,
    };
    let result = match online {
        Some(result) => result,
        None => write_tx(conn, |conn| match op {
            Op::Restock(n) => {
                stock::adjust(conn, &w.variant, *n, "restock", w.seller_user).map(|_| None)
            }
            Op::Correct(n) => {
                stock::adjust(conn, &w.variant, -n, "recount", w.seller_user).map(|_| None)
            }
            Op::Dispatch(n) => {
                let item = shipments::DispatchItem {
                    product_id: None,
                    variant_id: Some(w.variant.id),
                    quantity: *n,
                    unit_price: PriceIdr::parse(500).unwrap(),
                };
                shipments::dispatch(conn, w.seller_id, w.seller_user, w.agreement_id, &[item])
                    .map(|c| Some(c.id))
            }
            Op::Receive { pick, percent } => {
                let (id, q) = m.transit[pick % m.transit.len()];
                let got = q * percent / 100;
                shipments::receive(conn, &w.hotel_actor, id, Some(&[(w.variant.id, got)]))
                    .map(|_| None)
            }
            Op::Return(n) => shelf::give_back(
                conn,
                &hotel,
                w.hotel_id,
                w.agreement_id,
                &mut [(w.variant.id, *n)],
            )
            .map(|_| None),
            Op::Sell(n) => {
                let mut items = [SaleItem {
                    line: 0,
                    variant_id: w.variant.id,
                    quantity: *n,
                    unit_price: PriceIdr::parse(900).unwrap(),
                }];
                shelf::sell(conn, &hotel, w.hotel_id, &mut items, now()).map(|_| None)
            }
            Op::Count { shortfall } => shelf::count(
                conn,
                &hotel,
                w.hotel_id,
                &mut [(w.variant.id, m.shelf - shortfall)],
            )
            .map(|_| None),
            Op::CountSurplus => {
                shelf::count(conn, &hotel, w.hotel_id, &mut [(w.variant.id, m.shelf + 1)])
                    .map(|_| None)
            }
            Op::Order(_) | Op::Finish { .. } => unreachable!("run above"),
        }),
    };
    match result {
        Ok(consignment) => Ok(Outcome::Done(consignment)),
        Err(AppError::Conflict(_) | AppError::InsufficientStock(_)) => Ok(Outcome::Refused),
        Err(e) => Err(e),
    }
}

/// What the model says should happen; `None` when the operation does not apply.
fn predict(m: &mut Model, op: &Op) -> Option<bool> {
    Some(match op {
        Op::Restock(n) => {
            m.added += n;
            m.own += n;
            true
        }
        Op::Correct(n) | Op::Dispatch(n) if m.own < *n => false,
        Op::Correct(n) => {
            m.own -= n;
            m.adjusted_out += n;
            true
        }
        Op::Dispatch(n) => {
            m.own -= n;
            true
        }
        Op::Receive { .. } if m.transit.is_empty() => return None,
        Op::Receive { pick, percent } => {
            let (_, q) = m.transit.remove(pick % m.transit.len());
            let got = q * percent / 100;
            m.shelf += got;
            m.missing += q - got;
            true
        }
        Op::Return(n) | Op::Sell(n) if m.shelf < *n => false,
        Op::Return(n) => {
            m.shelf -= n;
            m.own += n;
            true
        }
        Op::Sell(n) => {
            m.shelf -= n;
            m.sold += n;
            true
        }
        Op::Count { shortfall } if *shortfall > m.shelf => return None,
        Op::Count { shortfall } => {
            m.shelf -= shortfall;
            m.missing += shortfall;
            true
        }
        Op::CountSurplus => false,
        Op::Order(n) if m.own < *n => false,
        Op::Order(n) => {
            m.own -= n;
            m.reserved += n;
            true
        }
        Op::Finish { .. } if m.parts.is_empty() => return None,
        Op::Finish { pick, complete } => {
            let (_, n) = m.parts.remove(pick % m.parts.len());
            m.reserved -= n;
            if *complete {
                m.sold_online += n;
            } else {
                m.own += n;
            }
            true
        }
    })
}

fn run(conn: &mut DbConn, ops: &[Op]) -> Result<(), TestCaseError> {
    let w = world(conn);
    let mut m = Model::default();
    for op in ops {
        let mut next = m.clone();
        let Some(expected) = predict(&mut next, op) else {
            continue;
        };
        let outcome =
            apply(conn, &w, &m, op).map_err(|e| TestCaseError::fail(format!("{op:?}: {e:?}")))?;
        match outcome {
            Outcome::Done(consignment) => {
                prop_assert!(
                    expected,
                    "{:?} went through but the model says no: {:?}",
                    op,
                    m
                );
                m = next;
                match (op, consignment) {
                    (Op::Dispatch(n), Some(id)) => m.transit.push((id, *n)),
                    (Op::Order(n), Some(id)) => m.parts.push((id, *n)),
                    _ => {}
                }
            }
            Outcome::Refused => prop_assert!(
                !expected,
                "{:?} was refused but the model says yes: {:?}",
                op,
                m
            ),
        }
        let stock = stock::product_stock(conn, w.variant.product_id)
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let v = &stock.variants[0];
        let place = |name: &str| {
            v.locations
                .iter()
                .filter(|l| l.location == name)
                .map(|l| l.quantity)
                .sum::<i64>()
        };
        let transit: i64 = m.transit.iter().map(|(_, q)| q).sum();
        prop_assert_eq!(
            (place("own"), place("in_transit"), place("hotel")),
            (m.own, transit, m.shelf),
            "after {:?}",
            op
        );
        prop_assert_eq!(
            (v.sold, v.missing, v.adjusted_out),
            (m.sold, m.missing, m.adjusted_out),
            "after {:?}",
            op
        );
        prop_assert_eq!(
            (v.reserved, v.sold_online),
            (m.reserved, m.sold_online),
            "after {:?}",
            op
        );
        prop_assert_eq!(
            m.own
                + transit
                + m.shelf
                + m.reserved
                + m.sold
                + m.sold_online
                + m.missing
                + m.adjusted_out,
            m.added
        );
        let problems = kriya::db::stock::check_invariants(conn)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(problems.is_empty(), "{:?}", problems);
    }
    Ok(())
}

fn property(backend: Backend, cases: u32) {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = migrated_database(backend, dir.path()) else {
        eprintln!("skipped: KRIYA_TEST_DATABASE_URL is not set");
        return;
    };
    let pool = build_pool(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    run_migrations(&mut conn).unwrap();
    let config = ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let conn = std::cell::RefCell::new(conn);
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let outcome = runner.run(&proptest::collection::vec(op(), 1..40), |ops| {
        run(&mut conn.borrow_mut(), &ops)
    });
    drop(conn);
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

mod random_operations_keep_the_books_exact {
    use super::*;

    #[test]
    fn sqlite() {
        property(Backend::Sqlite, 64);
    }

    #[test]
    fn postgres() {
        property(Backend::Postgres, 24);
    }
}
