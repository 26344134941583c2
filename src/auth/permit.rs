//! `Authorised`: proof that the caller may use the operation it asked for. A request body
//! (`api::body::Body`) opens only with one, so nothing of a body is read, parsed, validated
//! or acted on (no CSV parsed, no host name resolved) for a caller who gets a 401, 403 or
//! 404. Handlers take one from the role extractors (`AdminUser::authorised`,
//! `SellerUser::active`, …) or from an object check run before the body
//! (`api::access::check`); services check again inside their transaction.

/// Proof that the caller passed the operation's authorisation.
#[derive(Debug)]
pub struct Authorised(());

impl Authorised {
    /// Only authorisation code makes one: the role extractors and the object checks.
    pub(crate) fn granted() -> Self {
        Authorised(())
    }

    /// For operations anyone may use (register, sign in, refresh, sign out): their body is
    /// what identifies the caller.
    pub fn public() -> Self {
        Authorised(())
    }
}
