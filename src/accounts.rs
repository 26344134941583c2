//! Creating accounts: shared by `POST /v1/auth/register` and `kriya user create`.

use uuid::Uuid;

use crate::auth::password;
use crate::db::sellers::NewSeller;
use crate::db::users::NewUser;
use crate::db::{self, DbConn, write_tx};
use crate::domain::account::{Email, Password, Role};
use crate::domain::seller::SellerStatus;
use crate::domain::text::bounded;
use crate::domain::validation::Violations;
use crate::domain::{new_id, now};
use crate::error::{AppError, AppResult, is_unique_violation};

/// A validated registration.
pub struct Registration {
    pub email: Email,
    pub password: Password,
    pub name: String,
    pub role: Role,
}

impl Registration {
    /// Validates every field; `role` has been parsed by the caller (self-service callers
    /// may not choose `admin`).
    pub fn parse(
        email: Option<&str>,
        password: Option<&str>,
        name: Option<&str>,
        role: Result<Role, String>,
    ) -> AppResult<Self> {
        let mut v = Violations::new();
        let email = v.require("email", email, Email::parse);
        let password = v.require("password", password, Password::parse);
        let name = v.require("name", name, |n| bounded(n, 1, 100, false));
        let role = v.check("role", role);
        let (email, password, name, role) = v.finish_with((email, password, name, role))?;
        Ok(Self {
            email,
            password,
            name,
            role,
        })
    }
}

/// Inserts the account (and, for a seller, its pending seller profile) with an already
/// computed password hash. A taken e-mail is 409.
pub fn insert_account(
    conn: &mut DbConn,
    reg: &Registration,
    password_hash: &str,
) -> AppResult<Uuid> {
    write_tx(conn, |conn| {
        let t = now();
        let id = new_id();
        let user = NewUser {
            id,
            email: reg.email.as_str(),
            password_hash,
            name: &reg.name,
            role: reg.role.as_str(),
            created_at: t,
            updated_at: t,
        };
        db::users::insert(conn, user).map_err(|e| {
            if is_unique_violation(&e) {
                AppError::Conflict("an account with this e-mail already exists".to_owned())
            } else {
                e.into()
            }
        })?;
        if reg.role == Role::Seller {
            let seller = NewSeller {
                id: new_id(),
                user_id: id,
                business_name: &reg.name,
                status: SellerStatus::Pending.as_str(),
                created_at: t,
                updated_at: t,
            };
            db::sellers::insert(conn, seller)?;
        }
        Ok(id)
    })
}

/// Validates, hashes and inserts in one go (for the command line, which is not async).
pub fn create_user(
    conn: &mut DbConn,
    email: &str,
    password: &str,
    name: Option<&str>,
    role: Role,
) -> AppResult<Uuid> {
    let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or(email));
    let reg = Registration::parse(Some(email), Some(password), Some(name), Ok(role))?;
    let hash = password::hash(reg.password.expose()).map_err(AppError::internal)?;
    insert_account(conn, &reg, &hash)
}
