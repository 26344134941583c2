//! Decoding to upright RGB. JPEGs are decoded at a reduced DCT scale — the smallest of 1/8,
//! 2/8 … 8/8 that is still at least as wide as the largest rendition — which is most of the
//! speed of libvips' shrink-on-load.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbImage};

use super::probe::Probe;
use super::{Format, MediaError};

fn invalid(e: impl std::fmt::Display) -> MediaError {
    MediaError::Invalid(format!("the image cannot be decoded: {e}"))
}

/// Decodes at (about) `target_width` or more on the upright axis, then turns it upright.
pub fn decode_upright(
    bytes: &[u8],
    probe: &Probe,
    target_width: u32,
) -> Result<RgbImage, MediaError> {
    let stored = match probe.format {
        Format::Jpeg => {
            require_complete_jpeg(bytes)?;
            match decode_jpeg_scaled(bytes, probe, target_width)? {
                Some(rgb) => rgb,
                None => decode_full(bytes, ImageFormat::Jpeg)?,
            }
        }
        Format::Png => decode_full(bytes, ImageFormat::Png)?,
        Format::Webp => decode_full(bytes, ImageFormat::WebP)?,
    };
    let mut image = DynamicImage::ImageRgb8(stored);
    image.apply_orientation(probe.orientation);
    Ok(image.into_rgb8())
}

/// A JPEG cut short still decodes (as grey), so refuse one whose last scan has no end marker.
fn require_complete_jpeg(bytes: &[u8]) -> Result<(), MediaError> {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    let ends = last_scan.is_some_and(|sos| bytes[sos..].windows(2).any(|w| w == [0xFF, 0xD9]));
    if ends {
        Ok(())
    } else {
        Err(MediaError::Invalid(
            "the JPEG is truncated (no end-of-image marker)".to_owned(),
        ))
    }
}

/// `None` for pixel formats the scaled path does not handle (CMYK, 16-bit), which then take
/// the full decode.
fn decode_jpeg_scaled(
    bytes: &[u8],
    probe: &Probe,
    target_width: u32,
) -> Result<Option<RgbImage>, MediaError> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().map_err(invalid)?;
    let target = target_width.min(u32::from(u16::MAX)) as u16;
    // jpeg-decoder takes a scale when EITHER axis reaches its request, so the other axis asks
    // for the impossible.
    let (w, h) = if probe.transposed() {
        decoder.scale(u16::MAX, target)
    } else {
        decoder.scale(target, u16::MAX)
    }
    .map_err(invalid)?;
    let pixels = decoder.decode().map_err(invalid)?;
    let info = decoder.info().ok_or_else(|| invalid("no header"))?;
    let (w, h) = (u32::from(w), u32::from(h));
    let rgb = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => pixels,
        jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&l| [l, l, l]).collect(),
        _ => return Ok(None),
    };
    RgbImage::from_raw(w, h, rgb)
        .map(Some)
        .ok_or_else(|| invalid("unexpected buffer size"))
}

/// Transparent pixels are laid on white (renditions have no alpha).
fn decode_full(bytes: &[u8], format: ImageFormat) -> Result<RgbImage, MediaError> {
    let image = image::load_from_memory_with_format(bytes, format).map_err(invalid)?;
    if !image.color().has_alpha() {
        return Ok(image.into_rgb8());
    }
    let rgba = image.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut rgb = RgbImage::new(w, h);
    for (dst, src) in rgb.pixels_mut().zip(rgba.pixels()) {
        let a = u16::from(src[3]);
        for c in 0..3 {
            dst[c] = ((u16::from(src[c]) * a + 255 * (255 - a) + 127) / 255) as u8;
        }
    }
    Ok(rgb)
}
