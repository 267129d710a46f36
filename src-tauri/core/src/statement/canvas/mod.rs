//! A small page-layout layer over krilla: a cursor that runs down A4 pages, text in the
//! embedded fonts, wrapped paragraphs, filled boxes and rules, and tables whose header repeats
//! on every page they continue onto.
//!
//! Drawing is recorded per page first and written to krilla at the end, so the footer can say
//! "Page 2 of 5". Coordinates are points from the top-left corner, as krilla's are.

mod pdf;
mod style;
mod table;

pub(crate) use style::{Align, Color, Style};
pub(crate) use table::{Column, RowKind, Table};

use super::text::{self, Shaped};
pub(crate) use crate::company::load_image;
use krilla::image::Image;

pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;
pub(crate) const MARGIN_X: f32 = 42.0;
const MARGIN_TOP: f32 = 40.0;
/// Content stops here; the footer sits below.
const CONTENT_BOTTOM: f32 = PAGE_H - 56.0;
const FOOTER_BASELINE: f32 = PAGE_H - 30.0;
pub(crate) const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
pub(crate) const LEADING: f32 = 1.3;

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
}
