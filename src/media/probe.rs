//! What an upload is, from its first bytes and its header only.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{ImageDecoder, ImageFormat, ImageReader};

use super::{Format, MAX_PIXELS, MediaError};

#[derive(Debug, Clone, Copy)]
pub struct Probe {
    pub format: Format,
    /// As stored (before orientation).
    pub width: u32,
    pub height: u32,
    pub orientation: Orientation,
}

impl Probe {
    /// Orientations 5–8 swap the axes.
    pub fn transposed(&self) -> bool {
        matches!(
            self.orientation,
            Orientation::Rotate90
                | Orientation::Rotate270
                | Orientation::Rotate90FlipH
                | Orientation::Rotate270FlipH
        )
    }

    pub fn upright_width(&self) -> u32 {
        if self.transposed() {
            self.height
        } else {
            self.width
        }
    }

    pub fn upright_height(&self) -> u32 {
        if self.transposed() {
            self.width
        } else {
            self.height
        }
    }
}

fn invalid(e: impl std::fmt::Display) -> MediaError {
    MediaError::Invalid(format!("the image cannot be read: {e}"))
}

/// Sniffs the format from the bytes, reads the dimensions and orientation from the header,
/// and refuses anything over 40 MP before a single pixel is decoded.
pub fn probe(bytes: &[u8]) -> Result<Probe, MediaError> {
    let format = match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => Format::Jpeg,
        Ok(ImageFormat::Png) => Format::Png,
        Ok(ImageFormat::WebP) => Format::Webp,
        _ => {
            return Err(MediaError::Unsupported(
                "the file is not a JPEG, PNG or WebP image".to_owned(),
            ));
        }
    };
    let image_format = match format {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        Format::Webp => ImageFormat::WebP,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format);
    reader.no_limits();
    let mut decoder = reader.into_decoder().map_err(invalid)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(MediaError::Invalid("the image has no pixels".to_owned()));
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PIXELS {
        return Err(MediaError::TooLarge(format!(
            "the image is {width}×{height} ({:.1} MP); the limit is 40 MP",
            pixels as f64 / 1e6
        )));
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    Ok(Probe {
        format,
        width,
        height,
        orientation,
    })
}
