//! Renditions: each width resized from the one before, encoded as lossy WebP and progressive
//! JPEG (no metadata written at all), the two cores sharing the encodes.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;

use super::{Format, MediaError, Rendition, WIDTHS};

const QUALITY: u8 = 80;

fn failed(e: impl std::fmt::Display) -> MediaError {
    MediaError::Invalid(format!("the image could not be processed: {e}"))
}

/// Resizes to `width`, keeping the aspect ratio (never called to upscale).
fn resize(src: &RgbImage, width: u32) -> Result<RgbImage, MediaError> {
    let height = ((u64::from(src.height()) * u64::from(width) + u64::from(src.width()) / 2)
        / u64::from(src.width()))
    .max(1) as u32;
    let from =
        ImageRef::new(src.width(), src.height(), src.as_raw(), PixelType::U8x3).map_err(failed)?;
    let mut to = Image::new(width, height, PixelType::U8x3);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom));
    Resizer::new()
        .resize(&from, &mut to, &options)
        .map_err(failed)?;
    RgbImage::from_raw(width, height, to.into_vec()).ok_or_else(|| failed("resize buffer"))
}

fn encode(image: &RgbImage, nominal_width: u32, format: Format) -> Result<Rendition, MediaError> {
    let (w, h) = image.dimensions();
    let bytes = match format {
        Format::Webp => webp::Encoder::from_rgb(image.as_raw(), w, h)
            .encode(f32::from(QUALITY))
            .to_vec(),
        Format::Jpeg => {
            let mut out = Vec::with_capacity(image.as_raw().len() / 8);
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, QUALITY);
            encoder.set_progressive(true);
            encoder
                .encode(
                    image.as_raw(),
                    w as u16,
                    h as u16,
                    jpeg_encoder::ColorType::Rgb,
                )
                .map_err(failed)?;
            out
        }
        Format::Png => return Err(failed("renditions are WebP or JPEG")),
    };
    Ok(Rendition {
        nominal_width,
        width: w,
        height: h,
        format,
        bytes,
    })
}

/// A compact placeholder (4×3 components) computed from a tiny copy of the image.
fn blurhash(smallest: &RgbImage) -> Result<String, MediaError> {
    let tiny = if smallest.width() > 32 {
        resize(smallest, 32)?
    } else {
        smallest.clone()
    };
    let rgba: Vec<u8> = tiny
        .pixels()
        .flat_map(|p| [p[0], p[1], p[2], 255])
        .collect();
    blurhash::encode(4, 3, tiny.width(), tiny.height(), &rgba).map_err(failed)
}

/// Makes every rendition of an upright image and its blurhash.
pub fn render(upright: RgbImage) -> Result<(Vec<Rendition>, String), MediaError> {
    let mut levels: Vec<(u32, RgbImage)> = Vec::with_capacity(WIDTHS.len());
    let mut current = upright;
    for &w in &WIDTHS {
        if current.width() > w {
            current = resize(&current, w)?;
        }
        levels.push((w, current.clone()));
    }
    // The largest WebP costs about as much as everything else together: one core takes it.
    let (largest, rest) = levels.split_first().expect("at least one width");
    let (big_webp, others) = std::thread::scope(|s| {
        let big = s.spawn(|| encode(&largest.1, largest.0, Format::Webp));
        let mut others = vec![encode(&largest.1, largest.0, Format::Jpeg)];
        for (w, img) in rest {
            others.push(encode(img, *w, Format::Webp));
            others.push(encode(img, *w, Format::Jpeg));
        }
        let hash = blurhash(&levels.last().expect("levels").1);
        (
            big.join().map_err(|_| failed("encoder thread panicked")),
            (others, hash),
        )
    });
    let (others, hash) = others;
    let mut renditions = vec![big_webp??];
    for r in others {
        renditions.push(r?);
    }
    Ok((renditions, hash?))
}
