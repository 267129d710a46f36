//! Writing the recorded pages to a PDF with krilla: fonts, boxes, images, links and the
//! "Page N of M" footer.

use super::text::{self, pdf_font, FaceId, Shaped, Weight};
use super::{Canvas, Color, Op, Style, CONTENT_W, FOOTER_BASELINE, MARGIN_X, PAGE_H, PAGE_W};
use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::{Document, SerializeSettings};

impl Canvas {
    /// Writes the recorded pages: fonts subsetted, content compressed, no XMP (smaller files).
    pub fn finish(self, title: &str) -> Result<Vec<u8>, String> {
        let settings = SerializeSettings {
            xmp_metadata: false,
            enable_tagging: false,
            ..SerializeSettings::default()
        };
        let mut document = Document::new_with(settings);
        document.set_metadata(
            Metadata::new()
                .title(title.to_string())
                .creator("Duebook".to_string()),
        );
        let total = self.pages.len();
        let size = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("bad page size")?;
        let footer_style = Style::new(7.5, Weight::Regular, Color::MUTED);
        for (index, ops) in self.pages.into_iter().enumerate() {
            let mut page = document.start_page_with(size.clone());
            let mut links = Vec::new();
            {
                let mut surface = page.surface();
                for op in &ops {
                    match op {
                        Op::Text {
                            x,
                            baseline,
                            shaped,
                            style,
                        } => draw_shaped(&mut surface, *x, *baseline, shaped, *style),
                        Op::Rect { rect, color } => {
                            let (x, y, w, h) = *rect;
                            if let Some(r) = Rect::from_xywh(x, y, w, h) {
                                let mut pb = PathBuilder::new();
                                pb.push_rect(r);
                                if let Some(path) = pb.finish() {
                                    surface.set_fill(Some(fill(*color)));
                                    surface.set_stroke(None);
                                    surface.draw_path(&path);
                                }
                            }
                        }
                        Op::Link { rect, uri } => links.push((*rect, uri.clone())),
                        Op::Image { rect, image } => {
                            let (x, y, w, h) = *rect;
                            if let Some(size) = Size::from_wh(w, h) {
                                surface.push_transform(&Transform::from_translate(x, y));
                                surface.draw_image(image.clone(), size);
                                surface.pop();
                            }
                        }
                    }
                }
                let number = format!("Page {} of {}", index + 1, total);
                let shaped = text::shape(&number, Weight::Regular);
                let number_w = shaped.width(footer_style.size);
                let x = MARGIN_X + CONTENT_W - number_w;
                draw_shaped(&mut surface, x, FOOTER_BASELINE, &shaped, footer_style);
                let footer = text::truncate(
                    &self.footer,
                    Weight::Regular,
                    footer_style.size,
                    CONTENT_W - number_w - 24.0,
                );
                let footer = text::shape(&footer, Weight::Regular);
                draw_shaped(
                    &mut surface,
                    MARGIN_X,
                    FOOTER_BASELINE,
                    &footer,
                    footer_style,
                );
                surface.finish();
            }
            for ((x, y, w, h), uri) in links {
                if let Some(rect) = Rect::from_xywh(x, y, w, h) {
                    page.add_annotation(Annotation::new_link(
                        LinkAnnotation::new(
                            rect,
                            Target::Action(Action::Link(LinkAction::new(uri))),
                        ),
                        None,
                    ));
                }
            }
            page.finish();
        }
        document.finish().map_err(|e| match e {
            KrillaError::Image(_, _, reason) => format!("an image cannot be decoded: {reason}"),
            other => format!("{other:?}"),
        })
    }
}

fn fill(color: Color) -> Fill {
    Fill {
        paint: color.krilla().into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

fn draw_shaped(
    surface: &mut krilla::surface::Surface<'_>,
    x: f32,
    baseline: f32,
    shaped: &Shaped,
    style: Style,
) {
    let mut cursor = x;
    for run in &shaped.runs {
        surface.set_fill(Some(fill(style.color)));
        // Bold text in the CJK face (shipped in regular only) gets a thin outline instead.
        let fake_bold = run.face == FaceId::Cjk && style.weight == Weight::Bold;
        surface.set_stroke(fake_bold.then(|| Stroke {
            paint: style.color.krilla().into(),
            width: style.size * 0.035,
            ..Stroke::default()
        }));
        surface.draw_glyphs(
            Point::from_xy(cursor, baseline),
            &run.glyphs,
            pdf_font(run.face),
            &run.text,
            style.size,
            false,
        );
        cursor += run.width_em * style.size;
    }
    surface.set_stroke(None);
}
