//! The one place that decides whether a caller may see or change an object owned by a
//! seller. Objects the caller may not see are 404 (their existence is not revealed);
//! objects it may see but not change are 403.

use uuid::Uuid;

use super::AuthUser;
use crate::domain::account::Role;
use crate::error::AppError;

/// Who is asking, as every service takes it: the account (none when anonymous) and the
/// seller or hotel it acts for. A signed-in caller's is built once by its extractor
/// (`auth::actor`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Actor {
    pub user: Option<AuthUser>,
    pub seller_id: Option<Uuid>,
    pub hotel_id: Option<Uuid>,
}

impl Actor {
    pub fn is_admin(&self) -> bool {
        self.user.is_some_and(|u| u.role == Role::Admin)
    }

    pub fn owns(&self, owner_seller_id: Uuid) -> bool {
        self.seller_id == Some(owner_seller_id)
    }

    pub fn user_id(&self) -> Option<Uuid> {
        self.user.map(|u| u.id)
    }
}

/// For objects shared by a seller and a hotel (agreements, consignments, statements): the
/// two parties and admins may see them; anyone else gets 404.
pub fn authorize_party(
    viewer: &Actor,
    seller_id: Uuid,
    hotel_id: Uuid,
    what: &'static str,
) -> Result<(), AppError> {
    if viewer.is_admin() || viewer.seller_id == Some(seller_id) || viewer.hotel_id == Some(hotel_id)
    {
        Ok(())
    } else {
        Err(AppError::NotFound(what))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    View,
    Modify,
}

/// `public` says whether anyone may see the object (a published product of an active seller).
pub fn authorize(
    viewer: &Actor,
    owner_seller_id: Uuid,
    public: bool,
    action: Action,
    what: &'static str,
) -> Result<(), AppError> {
    let owner = viewer.owns(owner_seller_id);
    let can_see = public || owner || viewer.is_admin();
    match action {
        _ if !can_see => Err(AppError::NotFound(what)),
        Action::View => Ok(()),
        Action::Modify if owner => Ok(()),
        Action::Modify => Err(AppError::Forbidden(format!(
            "this {what} belongs to another seller"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seller(id: Uuid) -> Actor {
        Actor {
            user: Some(AuthUser {
                id: Uuid::now_v7(),
                role: Role::Seller,
            }),
            seller_id: Some(id),
            hotel_id: None,
        }
    }

    #[test]
    fn hidden_objects_are_not_found_and_visible_ones_forbidden() {
        let (mine, theirs) = (Uuid::now_v7(), Uuid::now_v7());
        let me = seller(mine);
        assert!(authorize(&me, mine, false, Action::Modify, "product").is_ok());
        assert!(matches!(
            authorize(&me, theirs, false, Action::View, "product"),
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            authorize(&me, theirs, true, Action::Modify, "product"),
            Err(AppError::Forbidden(_))
        ));
        assert!(authorize(&Actor::default(), theirs, true, Action::View, "product").is_ok());
        assert!(matches!(
            authorize(&Actor::default(), theirs, false, Action::View, "product"),
            Err(AppError::NotFound(_))
        ));
    }
}
