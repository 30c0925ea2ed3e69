//! The selected option in full, in one scrolling text: its id, cost, fit or every exclusion
//! reason, why it is not ★, what it requires, its line items (quantity × unit price = monthly)
//! with where each price comes from, and its notes.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use super::text::{ellipsize, unit_price};
use crate::model::units::{format_quantity, format_usd};
use crate::report::{EnvReport, OptionReport};
use crate::tui::app::{App, EnvView, ViewInfo};
use crate::tui::theme::Theme;

/// The option-details overlay.
pub struct Detail<'a> {
    /// The app.
    pub app: &'a App,
    /// The environment.
    pub env: &'a EnvView,
}

/// The overlay's lines (before wrapping) at `width`: the line items as a table when it fits.
pub fn detail_lines(theme: &Theme, report: &EnvReport, option: &OptionReport, width: u16) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = Vec::new();
    let star = report.recommendation.option_id.as_deref() == Some(option.id.as_str());
    lines.push(Line::from(vec![
        Span::styled(if star { "★ " } else { "" }.to_string(), theme.star),
        Span::styled(option.id.clone(), theme.active),
    ]));
    let upfront = match option.upfront_usd {
        Some(u) if !u.is_zero() => format!(" · upfront {}", format_usd(u)),
        None => " · upfront not published".into(),
        _ => String::new(),
    };
    let mut cost =
        vec![Span::styled(format!("{}/month", format_usd(option.monthly_usd)), theme.active), Span::raw(upfront)];
    if let Some(r) = report.recommended().filter(|_| !star) {
        let d = option.monthly_usd - r.monthly_usd;
        let words = super::change_words(d);
        let against = if words.ends_with("more") { "than ★" } else { "against ★" };
        cost.push(Span::styled(format!(" · {words} {against}"), super::delta_style(d, theme)));
    }
    lines.push(Line::from(cost));
    let u = &option.utilization;
    let share = |name: &str, v: Option<f64>| v.map(|v| format!("{name} {:.0}%", v * 100.0));
    let uses: Vec<String> = [
        share("memory", u.memory),
        share("CPU", u.cpu),
        share("network", u.network),
        share("connections", u.connections),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !uses.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("Uses at peak: {} (headroom {:.0}%)", uses.join(" · "), report.policy.headroom * 100.0),
            theme.dim,
        )));
    }
    lines.push(Line::default());
    if option.feasible {
        lines.push(Line::from(Span::styled("Fits the workload.", theme.ok)));
    } else {
        lines.push(Line::from(Span::styled("Excluded:", theme.bad)));
        for e in &option.exclusions {
            lines.push(Line::from(vec![
                Span::styled(format!("  ✗ {}: ", e.constraint), theme.bad),
                Span::raw(e.reason.clone()),
            ]));
        }
    }
    if let Some(why) = &option.why_not_recommended {
        lines.push(Line::from(vec![Span::styled("Not ★: ", theme.warn), Span::raw(why.clone())]));
    }
    for r in &option.last_resort {
        lines.push(Line::from(vec![Span::styled("Last resort: ", theme.warn), Span::raw(r.clone())]));
    }
    for r in &option.requirements {
        lines.push(Line::from(vec![Span::styled("Requires: ", theme.dim), Span::raw(r.clone())]));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled("Line items", theme.active)));
    let mut sources: Vec<String> = Vec::new();
    let mut source_of = |l: &crate::report::LineReport| {
        let key = format!("{} ({}, {})", l.price_source.source(), l.price_source.kind().id(), l.price_source.date());
        sources.iter().position(|s| *s == key).unwrap_or_else(|| {
            sources.push(key);
            sources.len() - 1
        }) + 1
    };
    let table = width >= 100;
    let item_w = usize::from(width.saturating_sub(62)).max(20);
    if table {
        lines.push(Line::from(Span::styled(
            format!(
                "  {:<item_w$} {:>12} {:<14} {:>12} {:>11}  src",
                "item", "quantity", "unit", "unit price", "monthly"
            ),
            theme.dim,
        )));
    }
    for l in &option.lines {
        let n = source_of(l);
        if table {
            lines.push(Line::from(vec![
                Span::raw(format!(
                    "  {:<item_w$} {:>12} {:<14} {:>12} ",
                    ellipsize(&l.item, item_w),
                    format_quantity(l.quantity, 2),
                    ellipsize(l.unit, 14),
                    unit_price(l.unit_usd)
                )),
                Span::styled(format!("{:>11}", format_usd(l.monthly_usd)), theme.active),
                Span::styled(format!("  [{n}]"), theme.dim),
            ]));
            if l.item.chars().count() > item_w {
                lines.push(Line::from(Span::styled(format!("    {}", l.item), theme.dim)));
            }
        } else {
            lines.push(Line::from(format!("  {}", l.item)));
            lines.push(Line::from(vec![
                Span::styled(
                    format!("     {} {} × {} = ", format_quantity(l.quantity, 2), l.unit, unit_price(l.unit_usd)),
                    theme.dim,
                ),
                Span::raw(format_usd(l.monthly_usd)),
                Span::styled(format!("  [{n}]"), theme.dim),
            ]));
        }
        if let Some(u) = &l.unverified {
            lines.push(Line::from(Span::styled(format!("     unverified: {u}"), theme.warn)));
        }
    }
    lines.push(Line::from(Span::styled(format!("  total {}/month", format_usd(option.monthly_usd)), theme.active)));
    lines.push(Line::default());
    lines.push(Line::from(Span::styled("Prices from", theme.active)));
    lines.extend(
        sources.iter().enumerate().map(|(i, s)| Line::from(Span::styled(format!("  [{}] {s}", i + 1), theme.dim))),
    );
    let mut seen: Vec<String> = Vec::new();
    for l in &option.lines {
        if let Some(n) = l.price_source.note() {
            let text = format!("{}: {n}", unit_price(l.unit_usd));
            if !seen.contains(&text) {
                lines.push(Line::from(Span::styled(format!("  note {text}"), theme.dim)));
                seen.push(text);
            }
        }
    }
    if !option.notes.is_empty() {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled("Notes", theme.active)));
        for n in &option.notes {
            lines.push(Line::from(Span::styled(format!("  • {n}"), theme.warn)));
        }
    }
    lines
}

impl Detail<'_> {
    /// It draws a popup over every row between the header and the footer (there is an option
    /// to show).
    pub fn covers(&self) -> bool {
        self.env.report().is_some() && self.app.selected_option().is_some()
    }
}

impl Widget for Detail<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let theme = &app.theme;
        let (Some(report), Some(option)) = (self.env.report(), app.selected_option()) else { return };
        let popup = Rect { x: area.x, y: area.y + 1, width: area.width, height: area.height.saturating_sub(2) };
        Clear.render(popup, buf);
        let block = Block::bordered()
            .title(format!(" {} ", ellipsize(&option.id, usize::from(popup.width.saturating_sub(4)))))
            .title_bottom(" ↑↓ PgDn scroll · / search · Esc close ")
            .border_style(theme.active);
        let inner = block.inner(popup);
        block.render(popup, buf);
        let text = Paragraph::new(detail_lines(theme, report, option, inner.width)).wrap(Wrap { trim: false });
        let max =
            u16::try_from(text.line_count(inner.width).saturating_sub(usize::from(inner.height))).unwrap_or(u16::MAX);
        app.view_info.set(ViewInfo { detail: (max, inner.height), text_width: inner.width, ..app.view_info.get() });
        text.scroll((app.detail_scroll.min(max), 0)).render(inner, buf);
    }
}

#[cfg(test)]
mod tests {
    use crate::tui::app::tests::{app, open, press};
    use crate::tui::view::testing::{SIZES, draw};
    use crossterm::event::KeyCode;

    #[test]
    fn option_details_overlay() {
        let mut a = app();
        open(&mut a, 3);
        press(&mut a, KeyCode::Enter);
        for (w, h) in SIZES {
            let screen = draw(&a, w, h).to_string();
            assert!(screen.contains("node-hour") && screen.contains("total"), "{screen}");
            insta::assert_snapshot!(format!("detail_{w}x{h}"), draw(&a, w, h));
        }
    }

    #[test]
    fn an_excluded_option_shows_every_reason_whole_and_scrolls_to_the_end() {
        let mut a = app();
        open(&mut a, 3);
        let rows = a.option_rows();
        let report = a.env().unwrap().report().unwrap();
        let pos = rows.rows.iter().position(|r| !report.options[r.index].feasible).unwrap();
        let reason = report.options[rows.rows[pos].index].excluded_reasons[0].clone();
        press(&mut a, KeyCode::Home);
        for _ in 0..pos {
            press(&mut a, KeyCode::Down);
        }
        press(&mut a, KeyCode::Enter);
        let screen = draw(&a, 200, 60).to_string();
        let tail: String = reason.split_whitespace().last().unwrap().to_string();
        assert!(screen.contains(&tail), "the reason's last word '{tail}' is on screen:\n{screen}");
        draw(&a, 60, 16);
        press(&mut a, KeyCode::Char('G'));
        let screen = draw(&a, 60, 16).to_string();
        assert!(screen.contains("Prices from") || screen.contains("note") || screen.contains('['), "{screen}");
    }
}
