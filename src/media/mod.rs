//! The image pipeline: check an upload from its bytes (real format, pixel count from the
//! header, before any decoding), decode once at the smallest size that still serves the
//! largest rendition, turn it upright, and make every rendition with no metadata at all.
//! Pure CPU work: callers run it on the blocking pool.

pub mod decode;
pub mod probe;
pub mod render;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Widths of the renditions, largest first; each is made from the one before.
pub const WIDTHS: [u32; 3] = [1200, 480, 160];

/// Largest accepted image, in pixels (40 MP).
pub const MAX_PIXELS: u64 = 40_000_000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MediaError {
    /// Not a JPEG, PNG or WebP (judged by the bytes, not the name).
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    TooLarge(String),
    /// The right kind of file, but broken.
    #[error("{0}")]
    Invalid(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Jpeg,
    Png,
    Webp,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
        }
    }

    /// `jpeg`, `png` or `webp`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Webp => "webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
        }
    }
}

/// One encoded rendition.
pub struct Rendition {
    /// The nominal width that names it (`480` in `480.webp`); the real width may be smaller
    /// for a small original, which is never upscaled.
    pub nominal_width: u32,
    pub width: u32,
    pub height: u32,
    pub format: Format,
    pub bytes: Vec<u8>,
}

impl Rendition {
    pub fn name(&self) -> String {
        format!("{}.{}", self.nominal_width, self.format.extension())
    }
}

/// Everything made from one upload.
pub struct Processed {
    pub original_format: Format,
    /// Upright dimensions of the original.
    pub width: u32,
    pub height: u32,
    pub blurhash: String,
    pub renditions: Vec<Rendition>,
}

/// Checks, decodes and renders an upload.
pub fn process(bytes: &[u8]) -> Result<Processed, MediaError> {
    let probe = probe::probe(bytes)?;
    let upright = decode::decode_upright(bytes, &probe, WIDTHS[0])?;
    let (renditions, blurhash) = render::render(upright)?;
    Ok(Processed {
        original_format: probe.format,
        width: probe.upright_width(),
        height: probe.upright_height(),
        blurhash,
        renditions,
    })
}
