//! How a mapping reads cells: the date order and decimal style a person picks (written as the
//! command line and profiles write them), and the checked settings the generic rows use.

use crate::import::dates::FixedOrder;
use crate::model::Currency;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How the file writes numeric dates; `Auto` decides day/month order from the file's dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DateOrder {
    #[default]
    Auto,
    Dmy,
    Mdy,
    Ymd,
}

/// How the file writes decimals; `Auto` takes a comma in semicolon-separated files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DecimalStyle {
    #[default]
    Auto,
    /// `1,234.56`
    Point,
    /// `1.234,56`
    Comma,
}

impl std::fmt::Display for DateOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DateOrder::Auto => "auto",
            DateOrder::Dmy => "dmy",
            DateOrder::Mdy => "mdy",
            DateOrder::Ymd => "ymd",
        })
    }
}

impl std::fmt::Display for DecimalStyle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DecimalStyle::Auto => "auto",
            DecimalStyle::Point => "point",
            DecimalStyle::Comma => "comma",
        })
    }
}

impl std::str::FromStr for DateOrder {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(DateOrder::Auto),
            "dmy" => Ok(DateOrder::Dmy),
            "mdy" => Ok(DateOrder::Mdy),
            "ymd" => Ok(DateOrder::Ymd),
            other => Err(format!(
                "unknown date order {other:?} (expected dmy, mdy, ymd or auto)"
            )),
        }
    }
}

impl std::str::FromStr for DecimalStyle {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(DecimalStyle::Auto),
            "point" => Ok(DecimalStyle::Point),
            "comma" => Ok(DecimalStyle::Comma),
            other => Err(format!(
                "unknown decimal style {other:?} (expected point, comma or auto)"
            )),
        }
    }
}

/// How to read the cells, checked: what the generic rows need besides the columns.
#[derive(Debug, Clone, Default)]
pub(in crate::import) struct Reading {
    pub date_order: Option<FixedOrder>,
    pub decimal: DecimalStyle,
    pub currency: Option<Currency>,
}

impl Reading {
    /// Whether amounts use a decimal comma, `auto` being the file's own guess.
    pub fn decimal_comma(&self, auto: bool) -> bool {
        match self.decimal {
            DecimalStyle::Auto => auto,
            DecimalStyle::Point => false,
            DecimalStyle::Comma => true,
        }
    }
}
