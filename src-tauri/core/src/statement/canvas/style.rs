//! Colours, alignment and text styles.

use super::text::Weight;
use super::LEADING;
use krilla::color::rgb;

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

    pub(super) fn krilla(self) -> rgb::Color {
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
