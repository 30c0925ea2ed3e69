//! Text that fits: cutting with an ellipsis (never silently mid-word), sharing a row's width
//! among columns by priority, and numbers as people read them (unit prices to their
//! significant digits, months to one decimal).

use ratatui::buffer::{Buffer, CellWidth};
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};
use rust_decimal::Decimal;
use std::fmt::Write as _;
use unicode_width::UnicodeWidthStr;

use crate::model::units::{format_quantity, format_unit_usd};

/// Display width of `text`, in cells.
pub fn width_of(text: &str) -> u16 {
    u16::try_from(text.width()).unwrap_or(u16::MAX)
}

/// `text` in at most `width` cells: whole if it fits, else cut with `…` at the end.
pub fn ellipsize(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// A character that is a grapheme of its own one cell wide wherever it stands (it neither joins
/// the one before nor takes the one after): printable ASCII, and the Latin, punctuation, arrow,
/// box, block, shape, symbol and Braille characters the screens use, where one cell wide.
fn lone_cell(c: char) -> bool {
    // the soft hyphen is the one character of these ranges that is not a grapheme of its own
    let ranges = matches!(c, ' '..='~' | '\u{A0}'..='\u{24F}' | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205E}' | '\u{2190}'..='\u{28FF}');
    ranges && c != '\u{AD}' && (c.is_ascii() || c.encode_utf8(&mut [0; 4]).cell_width() == 1)
}

/// Draw `lines` from the top of `area`, one a row, each cut at the area's width: cell for cell
/// what a `Paragraph` without wrap draws, but text made only of characters that stand alone
/// ([`lone_cell`]) is written a character a cell, without segmenting it into graphemes (the
/// option table writes some 12,000 cells a frame). Anything else goes the `Paragraph` way.
pub fn draw_lines(lines: &[Line<'_>], area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    for (y, line) in (area.top()..area.bottom()).zip(lines) {
        let row = Rect { y, height: 1, ..area };
        if line.alignment.is_some_and(|a| a != Alignment::Left) {
            Paragraph::new(line.clone()).render(row, buf);
            continue;
        }
        let mut x = 0u16;
        'spans: for span in &line.spans {
            let style = line.style.patch(span.style);
            let text: &str = span.content.as_ref();
            if text.chars().all(lone_cell) {
                for c in text.chars() {
                    if x >= area.width {
                        break 'spans;
                    }
                    buf[(area.x + x, y)].set_char(c).set_style(style);
                    x += 1;
                }
            } else {
                for g in span.styled_graphemes(line.style) {
                    let w = g.symbol.cell_width();
                    if w > area.width {
                        continue;
                    }
                    if x + w > area.width {
                        break 'spans;
                    }
                    if w > 0 {
                        buf[(area.x + x, y)].set_symbol(g.symbol).set_style(g.style);
                        x += w;
                    }
                }
            }
        }
    }
}

/// A unit price to its significant digits: `$0.214`, `$0.0000034`, `$3,015.63`.
pub fn unit_price(value: Decimal) -> String {
    if value.abs() >= Decimal::ONE || value.is_zero() {
        return format_unit_usd(value);
    }
    // four significant digits after the leading zeros
    let mut leading = 0u32;
    let mut v = value.abs();
    while v < Decimal::new(1, 1) && leading < 20 {
        v *= Decimal::TEN;
        leading += 1;
    }
    format!("${}", format_quantity(value, leading + 4))
}

/// Every `N months` in `text` with N to one decimal (`242.54 months` → `242.5 months`).
pub fn months_one_decimal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(" months") {
        let before = &rest[..at];
        let start = before.rfind(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).map_or(0, |i| i + 1);
        let number = &before[start..];
        out.push_str(&before[..start]);
        match number.replace(',', "").parse::<f64>() {
            Ok(n) if number.contains('.') => {
                let _ = write!(out, "{n:.1}");
            }
            _ => out.push_str(number),
        }
        out.push_str(" months");
        rest = &rest[at + " months".len()..];
    }
    out.push_str(rest);
    out
}

/// A column's claim on a row's width.
#[derive(Clone, Copy, Debug)]
pub struct Col {
    /// Narrowest it is useful at (the columns whose minimums do not fit are dropped).
    pub min: u16,
    /// What it gets first, in priority order.
    pub want: u16,
    /// What it may grow to with what is left (`u16::MAX`: everything left).
    pub max: u16,
    /// Lower is served first.
    pub priority: u8,
    /// Dropped (width 0) when the minimums do not fit, least important first.
    pub optional: bool,
}

impl Col {
    /// A column that must stay.
    pub const fn keep(min: u16, want: u16, priority: u8) -> Col {
        Col { min, want, max: want, priority, optional: false }
    }
    /// A column that goes when room is short.
    pub const fn extra(min: u16, want: u16, priority: u8) -> Col {
        Col { min, want, max: want, priority, optional: true }
    }
    /// The same column, growing to `max` once every column has what it wants.
    #[must_use]
    pub const fn up_to(self, max: u16) -> Col {
        Col { max, ..self }
    }
}

/// Share `width` among `cols` (one cell between columns): optional columns are dropped, least
/// important first, until the minimums fit; then columns grow toward what they want in
/// priority order, then toward their maximum. A dropped column gets 0.
pub fn fit_columns(width: u16, cols: &[Col]) -> Vec<u16> {
    let mut on: Vec<bool> = vec![true; cols.len()];
    let need = |on: &[bool]| -> u32 {
        let n = on.iter().filter(|o| **o).count() as u32;
        cols.iter().zip(on).filter(|(_, o)| **o).map(|(c, _)| u32::from(c.min)).sum::<u32>() + n.saturating_sub(1)
    };
    while need(&on) > u32::from(width) {
        let drop = cols
            .iter()
            .enumerate()
            .filter(|(i, c)| on[*i] && c.optional)
            .max_by_key(|(i, c)| (c.priority, *i))
            .map(|(i, _)| i);
        match drop {
            Some(i) => on[i] = false,
            None => break,
        }
    }
    let mut widths: Vec<u16> = cols.iter().zip(&on).map(|(c, o)| if *o { c.min } else { 0 }).collect();
    let mut left = u32::from(width).saturating_sub(need(&on));
    let mut order: Vec<usize> = (0..cols.len()).filter(|i| on[*i]).collect();
    order.sort_by_key(|&i| (cols[i].priority, i));
    for pass in 0..2 {
        for &i in &order {
            let target = if pass == 0 { cols[i].want } else { cols[i].max };
            let grow = u32::from(target.saturating_sub(widths[i])).min(left);
            widths[i] += u16::try_from(grow).unwrap_or(0);
            left -= grow;
        }
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_text_ends_with_an_ellipsis() {
        assert_eq!(ellipsize("maxclients 65,000", 40), "maxclients 65,000");
        assert_eq!(ellipsize("maxclients 65,000 off scale", 14), "maxclients 65…");
        assert_eq!(ellipsize("abc", 0), "");
    }

    #[test]
    fn unit_prices_keep_their_significant_digits_only() {
        assert_eq!(unit_price(Decimal::new(213_957_990_868, 12)), "$0.214");
        assert_eq!(unit_price(Decimal::new(34, 7)), "$0.0000034");
        assert_eq!(unit_price(Decimal::new(1752, 4)), "$0.1752");
        assert_eq!(unit_price(Decimal::new(301_563, 2)), "$3,015.63");
    }

    #[test]
    fn months_read_to_one_decimal() {
        assert_eq!(
            months_one_decimal("memory: 40% at peak today; reaches 75% in 242.54 months (2046-11)"),
            "memory: 40% at peak today; reaches 75% in 242.5 months (2046-11)"
        );
        assert_eq!(months_one_decimal("after 12 months"), "after 12 months");
    }

    /// Lines of spans drawn from pieces that stand alone, join (combining marks, a ZWJ sequence,
    /// a variation selector), are two cells wide, or are control characters.
    fn lines_strategy() -> impl proptest::strategy::Strategy<Value = Vec<Vec<(String, u8)>>> {
        use proptest::prelude::*;
        let piece = prop::sample::select(vec![
            "a",
            "Z",
            " ",
            "~",
            "m6g.large",
            "·",
            "★",
            "▸",
            "✓",
            "✗",
            "…",
            "—",
            "→",
            "█",
            "▏",
            "⣀",
            "×",
            "é",
            "e\u{301}",
            "\u{AD}",
            "✓\u{FE0F}",
            "👨\u{200D}👩",
            "漢",
            "字",
            "\t",
            "\n",
            "\r\n",
            "\u{7}",
            "ﾞ",
            "\u{2028}",
        ]);
        let span = (prop::collection::vec(piece, 0..12), 0u8..4).prop_map(|(p, s)| (p.concat(), s));
        prop::collection::vec(prop::collection::vec(span, 0..6), 0..5)
    }

    proptest::proptest! {
        #[test]
        fn draw_lines_draws_what_a_paragraph_draws(lines in lines_strategy(), width in 1u16..40, selected in 0usize..5) {
            use ratatui::style::{Color, Modifier, Style};
            use ratatui::text::Span;
            let styles = [Style::default(), Style::new().fg(Color::Red), Style::new().add_modifier(Modifier::BOLD), Style::new().bg(Color::Blue)];
            let lines: Vec<Line> = lines
                .into_iter()
                .enumerate()
                .map(|(n, spans)| {
                    let line = Line::from(spans.into_iter().map(|(t, s)| Span::styled(t, styles[usize::from(s)])).collect::<Vec<_>>());
                    if n == selected { line.style(Style::new().bg(Color::DarkGray)) } else { line }
                })
                .collect();
            let area = Rect::new(2, 1, width, 4);
            let mut ours = Buffer::empty(Rect::new(0, 0, width + 4, 6));
            let mut theirs = ours.clone();
            draw_lines(&lines, area, &mut ours);
            Paragraph::new(lines.clone()).render(area, &mut theirs);
            proptest::prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn columns_share_the_width_by_priority() {
        let cols = [
            Col::keep(10, 20, 0).up_to(40),
            Col::keep(8, 11, 0),
            Col::extra(6, 6, 3),
            Col::keep(10, 20, 1).up_to(u16::MAX),
        ];
        assert_eq!(fit_columns(80, &cols), vec![40, 11, 6, 20]);
        assert_eq!(fit_columns(64, &cols), vec![24, 11, 6, 20]);
        assert_eq!(fit_columns(30, &cols), vec![10, 8, 0, 10]);
        let w = fit_columns(60, &cols);
        assert_eq!(w.iter().sum::<u16>() + 3, 60);
    }
}
