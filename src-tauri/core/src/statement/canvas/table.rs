//! Tables whose header row repeats on every page they continue onto.

use super::text::{self, Weight};
use super::{Align, Canvas, Color, Style, CONTENT_BOTTOM, CONTENT_W, MARGIN_X};

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
