//! Where image bytes live: one narrow port, a filesystem adapter (the embedded default, under
//! the data dir) and an S3 adapter (any S3-compatible store), chosen by configuration.

pub mod fs;
pub mod s3;

use std::time::Duration;

use bytes::Bytes;

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("blob key {0:?} is not allowed")]
    BadKey(String),
    #[error("blob {0} not found")]
    NotFound(String),
    #[error("blob store: {0}")]
    Io(String),
}

/// Keys are relative paths of `[a-z0-9._-]` segments: no `..`, no absolute paths, nothing a
/// filesystem or an S3 console could read as something else.
pub fn check_key(key: &str) -> Result<(), BlobError> {
    let ok = !key.is_empty()
        && key.len() <= 200
        && key.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
                })
        });
    if ok {
        Ok(())
    } else {
        Err(BlobError::BadKey(key.to_owned()))
    }
}

/// The port every adapter implements.
pub trait BlobStore {
    fn put(
        &self,
        key: &str,
        bytes: Bytes,
        content_type: &str,
    ) -> impl Future<Output = Result<(), BlobError>> + Send;
    fn get(&self, key: &str) -> impl Future<Output = Result<Bytes, BlobError>> + Send;
    /// Deleting what is not there is not an error.
    fn delete(&self, key: &str) -> impl Future<Output = Result<(), BlobError>> + Send;
    fn exists(&self, key: &str) -> impl Future<Output = Result<bool, BlobError>> + Send;
    /// A URL a client may GET for `expires`; `None` when the store has no URLs of its own
    /// (the API then serves the bytes).
    fn presigned_get(
        &self,
        key: &str,
        expires: Duration,
    ) -> impl Future<Output = Result<Option<String>, BlobError>> + Send;
    /// Reachability, for `/readyz`.
    fn check(&self) -> impl Future<Output = Result<(), BlobError>> + Send;
}

/// The configured store.
#[derive(Clone)]
pub enum Blobs {
    Fs(fs::FsStore),
    S3(Box<s3::S3Store>),
}

impl BlobStore for Blobs {
    async fn put(&self, key: &str, bytes: Bytes, content_type: &str) -> Result<(), BlobError> {
        match self {
            Blobs::Fs(s) => s.put(key, bytes, content_type).await,
            Blobs::S3(s) => s.put(key, bytes, content_type).await,
        }
    }

    async fn get(&self, key: &str) -> Result<Bytes, BlobError> {
        match self {
            Blobs::Fs(s) => s.get(key).await,
            Blobs::S3(s) => s.get(key).await,
        }
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        match self {
            Blobs::Fs(s) => s.delete(key).await,
            Blobs::S3(s) => s.delete(key).await,
        }
    }

    async fn exists(&self, key: &str) -> Result<bool, BlobError> {
        match self {
            Blobs::Fs(s) => s.exists(key).await,
            Blobs::S3(s) => s.exists(key).await,
        }
    }

    async fn presigned_get(
        &self,
        key: &str,
        expires: Duration,
    ) -> Result<Option<String>, BlobError> {
        match self {
            Blobs::Fs(s) => s.presigned_get(key, expires).await,
            Blobs::S3(s) => s.presigned_get(key, expires).await,
        }
    }

    async fn check(&self) -> Result<(), BlobError> {
        match self {
            Blobs::Fs(s) => s.check().await,
            Blobs::S3(s) => s.check().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check_key;

    #[test]
    fn keys_cannot_escape() {
        assert!(check_key("images/0193/480.webp").is_ok());
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a//b",
            "A.jpg",
            "a\\b",
            "a/./b",
            "images/x y",
        ] {
            assert!(check_key(bad).is_err(), "{bad}");
        }
    }
}
