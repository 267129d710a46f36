//! A small page-layout layer over krilla: a cursor that runs down A4 pages, text in the
//! embedded fonts, wrapped paragraphs, filled boxes and rules, and tables whose header repeats
//! on every page they continue onto.
//!
//! Drawing is recorded per page first and written to krilla at the end, so the footer can say
//! "Page 2 of 5". Coordinates are points from the top-left corner, as krilla's are.

use super::text::{self, pdf_font, FaceId, Shaped, Weight};
pub(crate) use crate::company::load_image;
use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::{Document, SerializeSettings};

pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;
pub(crate) const MARGIN_X: f32 = 42.0;
const MARGIN_TOP: f32 = 40.0;
/// Content stops here; the footer sits below.
const CONTENT_BOTTOM: f32 = PAGE_H - 56.0;
const FOOTER_BASELINE: f32 = PAGE_H - 30.0;
pub(crate) const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
pub(crate) const LEADING: f32 = 1.3;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Color(pub u8, pub u8, pub u8);

impl Color {
    pub const BLACK: Color = Color(0x1d, 0x23, 0x2b);
    pub const MUTED: Color = Color(0x5b, 0x65, 0x70);
    pub const RULE: Color = Color(0xd5, 0xdb, 0xe1);
    pub const BAND: Color = Color(0xf2, 0xf4, 0xf6);
    pub const WHITE: Color = Color(0xff, 0xff, 0xff);

    /// "#RRGGBB", or None.
    pub fn parse_hex(text: &str) -> Option<Color> {
        let hex = text.trim().strip_prefix('#')?;
        if hex.len() != 6 || !hex.is_ascii() {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Color(byte(0)?, byte(2)?, byte(4)?))
    }

    /// Relative luminance (WCAG), 0 for black to 1 for white.
    fn luminance(self) -> f32 {
        let channel = |c: u8| {
            let c = f32::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// White or near-black, whichever reads better on this colour.
    pub fn text_on(self) -> Color {
        let contrast_white = 1.05 / (self.luminance() + 0.05);
        let contrast_black = (self.luminance() + 0.05) / (Color::BLACK.luminance() + 0.05);
        if contrast_white >= contrast_black {
            Color::WHITE
        } else {
            Color::BLACK
        }
    }

    /// The colour mixed with `amount` of white (0.9: a pale band behind a box).
    pub fn tint(self, amount: f32) -> Color {
        let mix = |c: u8| (f32::from(c) + (255.0 - f32::from(c)) * amount).round() as u8;
        Color(mix(self.0), mix(self.1), mix(self.2))
    }

    /// A version dark enough to read as text on white (contrast at least 4.5:1).
    pub fn readable_on_white(self) -> Color {
        let mut c = self;
        for _ in 0..20 {
            if 1.05 / (c.luminance() + 0.05) >= 4.5 {
                return c;
            }
            c = Color(
                (f32::from(c.0) * 0.85) as u8,
                (f32::from(c.1) * 0.85) as u8,
                (f32::from(c.2) * 0.85) as u8,
            );
        }
        Color::BLACK
    }

    fn krilla(self) -> rgb::Color {
        rgb::Color::new(self.0, self.1, self.2)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// A text style: size in points, weight and colour.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub size: f32,
    pub weight: Weight,
    pub color: Color,
}

impl Style {
    pub const fn new(size: f32, weight: Weight, color: Color) -> Style {
        Style {
            size,
            weight,
            color,
        }
    }

    pub fn line_height(&self) -> f32 {
        self.size * LEADING
    }
}

enum Op {
    Text {
        x: f32,
        baseline: f32,
        shaped: Shaped,
        style: Style,
    },
    Rect {
        rect: (f32, f32, f32, f32),
        color: Color,
    },
    Link {
        rect: (f32, f32, f32, f32),
        uri: String,
    },
    Image {
        rect: (f32, f32, f32, f32),
        image: Image,
    },
}

/// Recorded pages and a cursor.
pub(crate) struct Canvas {
    pages: Vec<Vec<Op>>,
    /// Top of the next thing to draw on the last page.
    pub y: f32,
    /// Drawn at the top of every page after the first (e.g. "Statement for X — continued").
    continuation: Option<(String, Style)>,
    /// Footer text left of "Page N of M".
    footer: String,
}

impl Canvas {
    pub fn new(footer: String) -> Canvas {
        Canvas {
            pages: vec![Vec::new()],
            y: MARGIN_TOP,
            continuation: None,
            footer,
        }
    }

    pub fn set_continuation(&mut self, text: String, style: Style) {
        self.continuation = Some((text, style));
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        // pages always holds at least one page (new() creates it, nothing removes one).
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN_TOP;
        if let Some((text, style)) = self.continuation.clone() {
            let text = text::truncate(&text, style.weight, style.size, CONTENT_W);
            self.text_line(MARGIN_X, &text, style, Align::Left, CONTENT_W);
            self.y += 6.0;
        }
    }

    /// Starts a new page unless `height` more points fit on this one.
    pub fn ensure(&mut self, height: f32) {
        if self.y + height > CONTENT_BOTTOM {
            self.new_page();
        }
    }

    pub fn gap(&mut self, points: f32) {
        self.y += points;
    }

    /// Draws one line of text with its top at the cursor, without moving it; returns its width.
    pub fn text_at(
        &mut self,
        x: f32,
        top: f32,
        text: &str,
        style: Style,
        align: Align,
        width: f32,
    ) -> f32 {
        let shaped = text::shape(text, style.weight);
        let w = shaped.width(style.size);
        let x = match align {
            Align::Left => x,
            Align::Right => x + width - w,
        };
        let baseline = top + (style.line_height() - style.size) / 2.0 + style.size * text::ASCENT;
        self.ops().push(Op::Text {
            x,
            baseline,
            shaped,
            style,
        });
        w
    }

    /// One line at the cursor, then moves the cursor below it.
    pub fn text_line(&mut self, x: f32, text: &str, style: Style, align: Align, width: f32) {
        let top = self.y;
        self.text_at(x, top, text, style, align, width);
        self.y += style.line_height();
    }

    /// A wrapped paragraph at the cursor; breaks onto new pages as needed.
    pub fn paragraph(&mut self, x: f32, width: f32, text: &str, style: Style) {
        for line in text::wrap(text, style.weight, style.size, width) {
            self.ensure(style.line_height());
            self.text_line(x, &line, style, Align::Left, width);
        }
    }

    /// A wrapped paragraph that is also a link to `uri` (each line is clickable).
    pub fn link_paragraph(&mut self, x: f32, width: f32, text: &str, uri: &str, style: Style) {
        for line in text::wrap(text, style.weight, style.size, width) {
            self.ensure(style.line_height());
            self.link_line(x, &line, uri, style, Align::Left, width);
        }
    }

    /// One underlined, clickable line at the cursor; moves the cursor below it.
    pub fn link_line(
        &mut self,
        x: f32,
        text: &str,
        uri: &str,
        style: Style,
        align: Align,
        width: f32,
    ) {
        let top = self.y;
        let w = self.text_at(x, top, text, style, align, width);
        let left = match align {
            Align::Left => x,
            Align::Right => x + width - w,
        };
        let underline = top + (style.line_height() - style.size) / 2.0 + style.size * 1.05;
        self.rect(left, underline, w, 0.5, style.color);
        self.ops().push(Op::Link {
            rect: (left, top, w, style.line_height()),
            uri: uri.to_string(),
        });
        self.y += style.line_height();
    }

    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Color) {
        if w > 0.0 && h > 0.0 {
            self.ops().push(Op::Rect {
                rect: (x, y, w, h),
                color,
            });
        }
    }

    /// Draws `image` into the box with its top-left corner at (x, y).
    pub fn image(&mut self, x: f32, y: f32, w: f32, h: f32, image: Image) {
        if w > 0.0 && h > 0.0 {
            self.ops().push(Op::Image {
                rect: (x, y, w, h),
                image,
            });
        }
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

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

/// A table column: heading, width in points, alignment.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub title: String,
    pub width: f32,
    pub align: Align,
}

/// How a table row looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowKind {
    Normal,
    /// Bold on a light band: opening and closing balances, totals.
    Emphasis,
}

/// A table that repeats its header row on each page it continues onto.
pub(crate) struct Table {
    columns: Vec<Column>,
    header_fill: Color,
    header_text: Color,
    pub body: Style,
    pad: f32,
    striped: bool,
    rows_drawn: usize,
}

impl Table {
    pub fn new(columns: Vec<Column>, accent: Color) -> Table {
        Table {
            columns,
            header_fill: accent,
            header_text: accent.text_on(),
            body: Style::new(8.5, Weight::Regular, Color::BLACK),
            pad: 4.0,
            striped: true,
            rows_drawn: 0,
        }
    }

    fn header_height(&self) -> f32 {
        self.body.line_height() + 2.0 * self.pad
    }

    fn row_height(&self, lines: usize) -> f32 {
        self.body.line_height() * lines.max(1) as f32 + 2.0 * self.pad
    }

    /// Draws the header, on a new page unless it fits here with `room_for_rows` rows under it.
    pub fn header(&mut self, canvas: &mut Canvas, room_for_rows: usize) {
        canvas.ensure(self.header_height() + self.row_height(1) * room_for_rows as f32);
        self.draw_header(canvas);
    }

    fn draw_header(&mut self, canvas: &mut Canvas) {
        let h = self.header_height();
        let top = canvas.y;
        canvas.rect(MARGIN_X, top, CONTENT_W, h, self.header_fill);
        let style = Style::new(self.body.size - 0.5, Weight::Bold, self.header_text);
        let mut x = MARGIN_X;
        for column in &self.columns {
            canvas.text_at(
                x + self.pad,
                top + self.pad,
                &column.title,
                style,
                column.align,
                column.width - 2.0 * self.pad,
            );
            x += column.width;
        }
        canvas.y += h;
        self.rows_drawn = 0;
    }

    /// One row; long cells wrap. Moves to a new page (and repeats the header) when it does not fit.
    pub fn row(&mut self, canvas: &mut Canvas, cells: &[&str], kind: RowKind) {
        let style = match kind {
            RowKind::Normal => self.body,
            RowKind::Emphasis => Style::new(self.body.size, Weight::Bold, self.body.color),
        };
        let wrapped: Vec<Vec<String>> = self
            .columns
            .iter()
            .zip(cells)
            .map(|(column, cell)| {
                text::wrap(
                    cell,
                    style.weight,
                    style.size,
                    column.width - 2.0 * self.pad,
                )
            })
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        let h = self.row_height(lines);
        if canvas.y + h > CONTENT_BOTTOM {
            canvas.new_page();
            self.draw_header(canvas);
        }
        let top = canvas.y;
        match kind {
            RowKind::Emphasis => canvas.rect(MARGIN_X, top, CONTENT_W, h, Color::BAND),
            RowKind::Normal if self.striped && self.rows_drawn % 2 == 1 => {
                canvas.rect(MARGIN_X, top, CONTENT_W, h, Color(0xf8, 0xf9, 0xfa));
            }
            RowKind::Normal => {}
        }
        let mut x = MARGIN_X;
        for (column, lines) in self.columns.iter().zip(&wrapped) {
            for (i, line) in lines.iter().enumerate() {
                canvas.text_at(
                    x + self.pad,
                    top + self.pad + i as f32 * style.line_height(),
                    line,
                    style,
                    column.align,
                    column.width - 2.0 * self.pad,
                );
            }
            x += column.width;
        }
        canvas.y += h;
        canvas.rect(MARGIN_X, canvas.y - 0.4, CONTENT_W, 0.4, Color::RULE);
        self.rows_drawn += 1;
    }
}
