//! The fonts shipped with the app, and text shaping with fallback, measuring and wrapping.
//!
//! krilla draws positioned glyphs but does no font fallback and tells no widths, so text is
//! shaped here with rustybuzz: each string is split into runs by the first font that has a
//! glyph for each character (DejaVu Sans, then Noto Sans CJK), every run is shaped, and the
//! advances give the width used for alignment and wrapping.

use krilla::text::{Font, GlyphId, KrillaGlyph};
use rustybuzz::UnicodeBuffer;
use std::sync::OnceLock;

static DEJAVU: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static DEJAVU_BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");
/// Face 0 of the collection is "Noto Sans CJK JP"; it covers Chinese and Korean as well.
static NOTO_CJK: &[u8] = include_bytes!("../../fonts/NotoSansCJK-Regular.ttc");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// Which of the embedded faces a run is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FaceId {
    Regular,
    Bold,
    Cjk,
}

struct Face {
    pdf: Font,
    shaper: rustybuzz::Face<'static>,
    units_per_em: f32,
}

struct Faces {
    regular: Face,
    bold: Face,
    cjk: Face,
}

#[derive(Debug, thiserror::Error)]
#[error("an embedded font could not be read: {0}")]
pub struct FontError(&'static str);

fn load(data: &'static [u8], index: u32, name: &'static str) -> Result<Face, FontError> {
    let pdf = Font::new(data.into(), index).ok_or(FontError(name))?;
    let shaper = rustybuzz::Face::from_slice(data, index).ok_or(FontError(name))?;
    let units_per_em = f32::from(shaper.units_per_em() as u16);
    Ok(Face {
        pdf,
        shaper,
        units_per_em,
    })
}

fn faces() -> Result<&'static Faces, FontError> {
    static FACES: OnceLock<Result<Faces, FontError>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            Ok(Faces {
                regular: load(DEJAVU, 0, "DejaVu Sans")?,
                bold: load(DEJAVU_BOLD, 0, "DejaVu Sans Bold")?,
                cjk: load(NOTO_CJK, 0, "Noto Sans CJK")?,
            })
        })
        .as_ref()
        .map_err(|e| FontError(e.0))
}

/// Loads the fonts once; later calls are free. Rendering fails with this error if they are
/// broken (they are compiled in, so only a bad build can do that).
pub(crate) fn ensure_fonts() -> Result<(), FontError> {
    faces().map(|_| ())
}

fn face(id: FaceId) -> &'static Face {
    // ensure_fonts() ran before any shaping (render entry points call it first).
    let Ok(faces) = faces() else {
        unreachable_fonts()
    };
    match id {
        FaceId::Regular => &faces.regular,
        FaceId::Bold => &faces.bold,
        FaceId::Cjk => &faces.cjk,
    }
}

#[cold]
fn unreachable_fonts() -> ! {
    panic!("statement fonts used before ensure_fonts() succeeded")
}

pub(crate) fn pdf_font(id: FaceId) -> Font {
    face(id).pdf.clone()
}

/// The Latin face's ascender, as a fraction of the font size.
pub(crate) const ASCENT: f32 = 0.928;

/// One stretch of text in one face, shaped.
#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub face: FaceId,
    pub text: String,
    /// Advances are in em (multiply by the font size).
    pub glyphs: Vec<KrillaGlyph>,
    pub width_em: f32,
}

/// A line of shaped text.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shaped {
    pub runs: Vec<Run>,
    pub width_em: f32,
}

impl Shaped {
    pub fn width(&self, size: f32) -> f32 {
        self.width_em * size
    }
}

/// Shapes one line of text (no line breaks) with fallback from DejaVu to Noto Sans CJK.
pub(crate) fn shape(text: &str, weight: Weight) -> Shaped {
    let primary = match weight {
        Weight::Regular => FaceId::Regular,
        Weight::Bold => FaceId::Bold,
    };
    let mut shaped = Shaped::default();
    let mut start = 0;
    let mut current: Option<FaceId> = None;
    for (i, c) in text.char_indices() {
        let wanted = face_for(c, primary, current);
        match current {
            Some(face) if face == wanted => {}
            Some(face) => {
                push_run(&mut shaped, face, &text[start..i]);
                start = i;
                current = Some(wanted);
            }
            None => current = Some(wanted),
        }
    }
    if let Some(face) = current {
        push_run(&mut shaped, face, &text[start..]);
    }
    shaped
}

/// The first face with a glyph for `c`; spaces and marks stay in the current run.
fn face_for(c: char, primary: FaceId, current: Option<FaceId>) -> FaceId {
    if let Some(current) = current {
        if c.is_whitespace() || is_mark(c) {
            return current;
        }
    }
    if face(primary).shaper.glyph_index(c).is_some() {
        primary
    } else if face(FaceId::Cjk).shaper.glyph_index(c).is_some() {
        FaceId::Cjk
    } else {
        primary
    }
}

fn is_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36f}' | '\u{fe00}'..='\u{fe0f}' | '\u{200d}')
}

fn push_run(shaped: &mut Shaped, id: FaceId, text: &str) {
    if text.is_empty() {
        return;
    }
    let face = face(id);
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    let output = rustybuzz::shape(&face.shaper, &[], buffer);
    let infos = output.glyph_infos();
    let positions = output.glyph_positions();
    let upem = face.units_per_em;
    // A cluster's text ends where the next cluster (in text order) starts; glyphs of
    // right-to-left text come in visual order, so look the end up rather than taking the next.
    let mut starts: Vec<usize> = infos.iter().map(|i| i.cluster as usize).collect();
    starts.sort_unstable();
    starts.dedup();
    let mut glyphs = Vec::with_capacity(infos.len());
    let mut width = 0.0;
    for (info, pos) in infos.iter().zip(positions) {
        let start = info.cluster as usize;
        let end = match starts.binary_search(&start) {
            Ok(i) => starts.get(i + 1).copied().unwrap_or(text.len()),
            Err(_) => text.len(),
        };
        let advance = pos.x_advance as f32 / upem;
        width += advance;
        glyphs.push(KrillaGlyph::new(
            GlyphId::new(info.glyph_id),
            advance,
            pos.x_offset as f32 / upem,
            pos.y_offset as f32 / upem,
            pos.y_advance as f32 / upem,
            start..end,
            None,
        ));
    }
    shaped.width_em += width;
    shaped.runs.push(Run {
        face: id,
        text: text.to_string(),
        glyphs,
        width_em: width,
    });
}

/// Width of `text` at `size` points.
pub(crate) fn width(text: &str, weight: Weight, size: f32) -> f32 {
    shape(text, weight).width(size)
}

/// `text` cut to fit `max_width` points, with "…" where it was cut.
pub(crate) fn truncate(text: &str, weight: Weight, size: f32, max_width: f32) -> String {
    if width(text, weight, size) <= max_width {
        return text.to_string();
    }
    let budget = max_width - width("…", weight, size);
    let mut out = String::new();
    let mut used = 0.0;
    for c in text.chars() {
        let mut buf = [0u8; 4];
        let w = width(c.encode_utf8(&mut buf), weight, size);
        if used + w > budget {
            break;
        }
        out.push(c);
        used += w;
    }
    format!("{}…", out.trim_end())
}

/// Whether a line may break before or after `c` without a space (CJK ideographs, kana, Hangul,
/// fullwidth forms).
fn breaks_anywhere(c: char) -> bool {
    matches!(c,
        '\u{2e80}'..='\u{2fff}'
        | '\u{3040}'..='\u{30ff}'
        | '\u{3100}'..='\u{31ff}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{ac00}'..='\u{d7af}'
        | '\u{f900}'..='\u{faff}'
        | '\u{ff00}'..='\u{ffef}'
        | '\u{20000}'..='\u{2fa1f}')
}

/// Breaks `text` into lines no wider than `max_width` points: at spaces, between CJK
/// characters, after `/`, `-`, `?` and `&` in long words (links), and anywhere in a word that is
/// longer than a line. Explicit newlines are kept.
pub(crate) fn wrap(text: &str, weight: Weight, size: f32, max_width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let paragraph = paragraph.trim_end();
        if paragraph.is_empty() {
            lines.push(String::new());
            continue;
        }
        if width(paragraph, weight, size) <= max_width {
            lines.push(paragraph.to_string());
            continue;
        }
        wrap_paragraph(paragraph, weight, size, max_width, &mut lines);
    }
    lines
}

fn wrap_paragraph(text: &str, weight: Weight, size: f32, max_width: f32, lines: &mut Vec<String>) {
    let mut line = String::new();
    let mut line_width = 0.0;
    for piece in pieces(text) {
        let piece_width = width(piece, weight, size);
        if line_width + piece_width <= max_width
            || line.trim().is_empty() && piece.trim().is_empty()
        {
            line.push_str(piece);
            line_width += piece_width;
            continue;
        }
        if !line.trim().is_empty() {
            lines.push(line.trim_end().to_string());
        }
        let piece = piece.trim_start();
        line = String::new();
        line_width = 0.0;
        if width(piece, weight, size) <= max_width {
            line.push_str(piece);
            line_width = width(piece, weight, size);
            continue;
        }
        // A word longer than the line: break it by characters.
        for c in piece.chars() {
            let mut buf = [0u8; 4];
            let w = width(c.encode_utf8(&mut buf), weight, size);
            if line_width + w > max_width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            line.push(c);
            line_width += w;
        }
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
}

/// Splits text into pieces after which a line may break; each piece keeps its trailing space.
fn pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let end = i + c.len_utf8();
        let break_after = match next {
            None => true,
            Some(n) => {
                (c.is_whitespace() && !n.is_whitespace())
                    || breaks_anywhere(c)
                    || (breaks_anywhere(n) && !c.is_whitespace())
                    || (matches!(c, '/' | '-' | '?' | '&' | '=') && !n.is_whitespace())
            }
        };
        if break_after {
            out.push(&text[start..end]);
            start = end;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_cjk_for_japanese_and_keeps_latin_in_dejavu() {
        ensure_fonts().unwrap();
        let shaped = shape("Café 山田商事 €£¥ 한국", Weight::Regular);
        let faces: Vec<_> = shaped
            .runs
            .iter()
            .map(|r| (r.face, r.text.as_str()))
            .collect();
        assert_eq!(
            faces,
            vec![
                (FaceId::Regular, "Café "),
                (FaceId::Cjk, "山田商事 "),
                (FaceId::Regular, "€£¥ "),
                (FaceId::Cjk, "한국"),
            ]
        );
        for run in &shaped.runs {
            assert!(
                run.glyphs.iter().all(|g| g.glyph_id.to_u32() != 0),
                "no missing glyph in {:?}",
                run.text
            );
        }
    }

    #[test]
    fn every_character_we_print_has_a_glyph() {
        ensure_fonts().unwrap();
        for text in [
            "Sunny Side Up ☀ Café",
            "Société Lumière SARL · Brightwater Dental <Group> · O'Brien & Sons",
            "€ £ ¥ ₹ ₩ ₪ $ A$ CA$ – › … ·",
            "Zoë Łukasiewicz-Øvergaard, Malmö, Kraków, Tomás García",
            "山田商事株式会社 北京贸易有限公司 台北貿易股份有限公司 주식회사 한국무역",
        ] {
            for weight in [Weight::Regular, Weight::Bold] {
                for run in shape(text, weight).runs {
                    assert!(
                        run.glyphs.iter().all(|g| g.glyph_id.to_u32() != 0),
                        "missing glyph in {:?}",
                        run.text
                    );
                }
            }
        }
    }

    #[test]
    fn wraps_at_spaces_between_cjk_characters_and_inside_long_words() {
        ensure_fonts().unwrap();
        let lines = wrap("one two three four five six", Weight::Regular, 10.0, 60.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.join(" "), "one two three four five six");
        for line in &lines {
            assert!(width(line, Weight::Regular, 10.0) <= 60.0, "{line:?}");
        }
        let cjk = wrap(
            "山田商事株式会社山田商事株式会社",
            Weight::Regular,
            10.0,
            45.0,
        );
        assert!(cjk.len() >= 3, "{cjk:?}");
        assert_eq!(cjk.concat(), "山田商事株式会社山田商事株式会社");
        let link = "https://pay.example.com/invoices/INV-000123?customer=42&token=abcdefghijklmnop";
        let wrapped = wrap(link, Weight::Regular, 9.0, 120.0);
        assert_eq!(wrapped.concat(), link);
        for line in &wrapped {
            assert!(width(line, Weight::Regular, 9.0) <= 120.0, "{line:?}");
        }
        assert_eq!(wrap("a\n\nb", Weight::Regular, 10.0, 100.0), ["a", "", "b"]);
    }
}
