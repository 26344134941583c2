//! Blobs as files under a directory: written to a temporary file and renamed into place, so
//! a reader never sees half a file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;

use super::{BlobError, BlobStore, check_key};

#[derive(Clone, Debug)]
pub struct FsStore {
    root: PathBuf,
}

fn io(e: std::io::Error) -> BlobError {
    BlobError::Io(e.to_string())
}

impl FsStore {
    pub fn new(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root)?;
        Ok(Self { root })
    }

    fn path(&self, key: &str) -> Result<PathBuf, BlobError> {
        check_key(key)?;
        Ok(self.root.join(key))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, BlobError> + Send + 'static,
) -> Result<T, BlobError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| BlobError::Io(e.to_string()))?
}

impl BlobStore for FsStore {
    async fn put(&self, key: &str, bytes: Bytes, _content_type: &str) -> Result<(), BlobError> {
        let path = self.path(key)?;
        blocking(move || {
            let dir = path
                .parent()
                .ok_or_else(|| BlobError::BadKey(path.display().to_string()))?;
            std::fs::create_dir_all(dir).map_err(io)?;
            let tmp = dir.join(format!(".tmp-{}", uuid::Uuid::now_v7().simple()));
            let written = std::fs::write(&tmp, &bytes).and_then(|_| std::fs::rename(&tmp, &path));
            if let Err(e) = written {
                let _ = std::fs::remove_file(&tmp);
                return Err(io(e));
            }
            Ok(())
        })
        .await
    }

    async fn get(&self, key: &str) -> Result<Bytes, BlobError> {
        let path = self.path(key)?;
        let key = key.to_owned();
        blocking(move || match std::fs::read(&path) {
            Ok(b) => Ok(Bytes::from(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(BlobError::NotFound(key)),
            Err(e) => Err(io(e)),
        })
        .await
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        let path = self.path(key)?;
        blocking(move || match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(e)),
        })
        .await
    }

    async fn exists(&self, key: &str) -> Result<bool, BlobError> {
        let path = self.path(key)?;
        blocking(move || Ok(path.is_file())).await
    }

    async fn presigned_get(
        &self,
        key: &str,
        _expires: Duration,
    ) -> Result<Option<String>, BlobError> {
        check_key(key)?;
        Ok(None)
    }

    async fn check(&self) -> Result<(), BlobError> {
        let root = self.root.clone();
        blocking(move || {
            let probe = root.join(".readyz");
            std::fs::write(&probe, b"ok")
                .and_then(|_| std::fs::remove_file(&probe))
                .map_err(io)
        })
        .await
    }
}
