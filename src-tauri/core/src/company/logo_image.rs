//! Reading a logo file the way a statement will: decoded once into a throwaway PDF, so a
//! truncated or corrupt file is refused when it is chosen and not found in every statement.

use krilla::error::KrillaError;
use krilla::geom::Size;
use krilla::image::Image;
use krilla::page::PageSettings;
use krilla::Document;

/// A PNG or JPEG file's bytes as a krilla image (decoded only when a PDF is written).
pub(crate) fn load_image(content_type: &str, bytes: Vec<u8>) -> Result<Image, String> {
    match content_type {
        "image/png" => Image::from_png(bytes.into(), true),
        "image/jpeg" => Image::from_jpeg(bytes.into(), true),
        other => Err(format!("{other} images are not supported")),
    }
}

/// Width and height in pixels of a PNG or JPEG file, after drawing it once into a PDF (which
/// decodes it all).
pub(crate) fn check_logo_image(content_type: &str, bytes: &[u8]) -> Result<(u32, u32), String> {
    let image = load_image(content_type, bytes.to_vec())?;
    let size = image.size();
    let mut document = Document::new();
    let settings = PageSettings::from_wh(10.0, 10.0).ok_or("bad page size")?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    if let Some(area) = Size::from_wh(10.0, 10.0) {
        surface.draw_image(image, area);
    }
    surface.finish();
    page.finish();
    document.finish().map_err(|e| match e {
        KrillaError::Image(_, _, reason) => format!("an image cannot be decoded: {reason}"),
        other => format!("{other:?}"),
    })?;
    Ok(size)
}
