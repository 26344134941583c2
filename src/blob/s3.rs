//! Blobs in any S3-compatible store (AWS, MinIO, Garage, s3s), through rust-s3. Path-style
//! addressing is an option for servers without virtual-host buckets. The API answers a GET of
//! a rendition with a redirect to a presigned URL, so image bytes never pass through Kriya.

use std::time::Duration;

use bytes::Bytes;
use s3::creds::Credentials;
use s3::{Bucket, Region};

use super::{BlobError, BlobStore, check_key};
use crate::secret::Secret;

#[derive(Clone, Debug)]
pub struct S3Settings {
    pub bucket: String,
    /// `None` for AWS itself.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key: String,
    pub secret_key: Secret,
    pub path_style: bool,
}

#[derive(Clone)]
pub struct S3Store {
    bucket: Box<Bucket>,
}

fn err(e: impl std::fmt::Display) -> BlobError {
    BlobError::Io(e.to_string())
}

fn status(code: u16, key: &str) -> Result<(), BlobError> {
    match code {
        200..=299 => Ok(()),
        404 => Err(BlobError::NotFound(key.to_owned())),
        other => Err(BlobError::Io(format!("S3 answered {other} for {key}"))),
    }
}

impl S3Store {
    pub fn new(settings: &S3Settings) -> Result<Self, BlobError> {
        let region = match &settings.endpoint {
            Some(endpoint) => Region::Custom {
                region: settings.region.clone(),
                endpoint: endpoint.clone(),
            },
            None => settings.region.parse().map_err(err)?,
        };
        let credentials = Credentials::new(
            Some(&settings.access_key),
            Some(settings.secret_key.expose()),
            None,
            None,
            None,
        )
        .map_err(err)?;
        let bucket = Bucket::new(&settings.bucket, region, credentials).map_err(err)?;
        let bucket = if settings.path_style {
            bucket.with_path_style()
        } else {
            bucket
        };
        Ok(Self { bucket })
    }
}

impl BlobStore for S3Store {
    async fn put(&self, key: &str, bytes: Bytes, content_type: &str) -> Result<(), BlobError> {
        check_key(key)?;
        let response = self
            .bucket
            .put_object_with_content_type(key, &bytes, content_type)
            .await
            .map_err(err)?;
        status(response.status_code(), key)
    }

    async fn get(&self, key: &str) -> Result<Bytes, BlobError> {
        check_key(key)?;
        let response = self.bucket.get_object(key).await.map_err(err)?;
        status(response.status_code(), key)?;
        Ok(response.bytes().clone())
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        check_key(key)?;
        let response = self.bucket.delete_object(key).await.map_err(err)?;
        match status(response.status_code(), key) {
            Ok(()) | Err(BlobError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn exists(&self, key: &str) -> Result<bool, BlobError> {
        check_key(key)?;
        let (_, code) = self.bucket.head_object(key).await.map_err(err)?;
        match status(code, key) {
            Ok(()) => Ok(true),
            Err(BlobError::NotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn presigned_get(
        &self,
        key: &str,
        expires: Duration,
    ) -> Result<Option<String>, BlobError> {
        check_key(key)?;
        let secs = expires.as_secs().clamp(1, 604_800) as u32;
        self.bucket
            .presign_get(key, secs, None)
            .await
            .map(Some)
            .map_err(err)
    }

    /// Bucket listing and `exists()` do not parse on every S3-compatible server, so readiness
    /// asks for one object that is never there: any answer but a transport error means the
    /// store is reachable and our credentials are accepted.
    async fn check(&self) -> Result<(), BlobError> {
        let (_, code) = self
            .bucket
            .head_object(".readyz-probe")
            .await
            .map_err(err)?;
        match code {
            200..=299 | 404 => Ok(()),
            other => Err(BlobError::Io(format!(
                "S3 answered {other} to a readiness probe"
            ))),
        }
    }
}
