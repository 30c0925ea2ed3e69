//! The option table: the options the app can use, one row per kind × engine × node type with its
//! best layout and term (x expands the rest), fit, headroom bars, and why each is not ★. The
//! columns share the width by priority: the option and its reason first; whatever is cut ends
//! in `…` and reads whole in the details (Enter).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

use super::text::{Col, draw_lines, ellipsize, fit_columns, width_of};
use super::{bar, fit_style, short_label};
use crate::model::units::format_usd;
use crate::report::OptionReport;
use crate::tui::app::{App, EnvView, ViewInfo};
use crate::tui::rows::OptionSort;

/// The Options screen of one environment.
pub struct OptionsView<'a> {
    /// The app.
    pub app: &'a App,
    /// The environment.
    pub env: &'a EnvView,
}

/// What the reason column says of an option: why it is not ★, why it is excluded, or a note.
pub fn reason(o: &OptionReport, recommended: bool) -> String {
    if recommended {
        return o.notes.first().cloned().unwrap_or_else(|| "recommended".to_string());
    }
    if !o.feasible {
        return o.excluded_reasons.join("; ");
    }
    if let Some(why) = &o.why_not_recommended {
        return why.clone();
    }
    o.last_resort.first().or(o.notes.first()).or(o.requirements.first()).cloned().unwrap_or_default()
}

fn pad(text: &str, width: u16, right: bool) -> String {
    let t = ellipsize(text, usize::from(width));
    let fill = " ".repeat(usize::from(width).saturating_sub(width_of(&t) as usize));
    if right { format!("{fill}{t}") } else { format!("{t}{fill}") }
}

impl Widget for OptionsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let theme = &app.theme;
        let Some(report) = self.env.report() else { return };
        let rows = app.option_rows();
        let star = report.recommendation.option_id.as_deref();
        let view = &self.env.view;
        let title = match report.recommended() {
            Some(r) => format!(" {} · ★ {} {}/mo ", report.env, short_label(r), format_usd(r.monthly_usd)),
            None => format!(" {} · nothing fits ", report.env),
        };
        let mut state = vec![format!("{} rows", rows.rows.len())];
        if view.feasible_only {
            state.push("fitting only (f)".into());
        }
        if rows.other_protocol > 0 {
            let other =
                if report.engine == crate::model::catalog::Engine::Memcached { "Redis-protocol" } else { "Memcached" };
            let n = rows.other_protocol;
            state.push(format!("{n} {other} option{} hidden (o)", if n == 1 { "" } else { "s" }));
        } else if view.other_protocols {
            state.push("all protocols (o)".into());
        }
        if !view.filter.is_empty() {
            state.push(format!("filter '{}'", view.filter));
        }
        let state = format!(" {} ", state.join(" · "));
        let mut block = Block::bordered().title(title.clone()).border_style(theme.border);
        if usize::from(area.width) > width_of(&title) as usize + width_of(&state) as usize + 4 {
            block = block.title(Line::from(state).right_aligned());
        }
        let inner = block.inner(area);
        block.render(area, buf);
        let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);

        let wide_ids = inner.width >= 160;
        let label_of = |o: &OptionReport| if wide_ids { o.id.clone() } else { short_label(o) };
        let label_w = match (rows.rows.is_empty(), wide_ids) {
            (true, _) => 20,
            (false, true) => rows.label_chars.1,
            (false, false) => rows.label_chars.0,
        };
        let bar_w: u16 = if inner.width >= 110 { 6 } else { 4 };
        let fit_want: u16 = if inner.width >= 110 { 14 } else { 1 };
        let widths = fit_columns(
            inner.width.saturating_sub(1),
            &[
                Col::keep(2, 2, 0),
                Col::keep(24, u16::try_from(label_w).unwrap_or(40), 0),
                Col::extra(3, 3, 2),
                Col::keep(10, 10, 0),
                Col::keep(1, fit_want, 2),
                Col::extra(bar_w, bar_w, 3),
                Col::extra(bar_w, bar_w, 3),
                Col::extra(bar_w, bar_w, 4),
                Col::extra(bar_w, bar_w, 4),
                Col::keep(22, 40, 1).up_to(u16::MAX),
            ],
        );
        let sort = app.option_sort;
        let names =
            ["", "option", "", "monthly", "fit", "mem", "cpu", "net", "conn", "why not ★ / note (Enter: in full)"];
        let sorted_by = |i: usize| {
            matches!(
                (i, sort.0),
                (1, OptionSort::Option)
                    | (3, OptionSort::Monthly)
                    | (4, OptionSort::Fit)
                    | (5, OptionSort::Memory)
                    | (6, OptionSort::Cpu)
                    | (7, OptionSort::Network)
                    | (8, OptionSort::Connections)
            )
        };
        let mut spans = vec![Span::raw(" ")];
        for (i, (name, w)) in names.iter().zip(&widths).enumerate() {
            if *w == 0 {
                continue;
            }
            let mark = if sorted_by(i) { if sort.1 { "↓" } else { "↑" } } else { "" };
            let name = if *w < 3 { "" } else { name };
            spans.push(Span::styled(pad(&format!("{name}{mark}"), *w, i == 3), theme.dim.add_modifier(Modifier::BOLD)));
            spans.push(Span::raw(" "));
        }
        draw_lines(&[Line::from(spans)], head, buf);

        let height = usize::from(body.height);
        let at = app.option_position(&rows);
        let mut first = app.view_info.get().options.0.min(rows.rows.len().saturating_sub(height));
        if at < first {
            first = at;
        } else if at >= first + height {
            first = at + 1 - height;
        }
        app.view_info.set(ViewInfo { options: (first, height), ..app.view_info.get() });
        app.hits.borrow_mut().list = (body.y, body.height);
        let headroom = report.policy.headroom;
        let mut lines = Vec::new();
        for (n, row) in rows.rows.iter().enumerate().skip(first).take(height) {
            let o = &report.options[row.index];
            let is_star = Some(o.id.as_str()) == star;
            let mark = match (is_star, row.others) {
                (true, _) => "★",
                (false, None) => " ",
                (false, Some(_)) => "",
            };
            let fold = match row.others {
                Some(0) => " ",
                Some(_) if row.expanded => "▾",
                Some(_) => "▸",
                None => "└",
            };
            let label = label_of(o);
            let more = match row.others {
                Some(k) if k > 0 => format!("+{k}"),
                _ => String::new(),
            };
            let fit = if o.feasible {
                "✓".to_string()
            } else if widths[4] > 3 {
                format!("✗ {}", o.exclusions.first().map_or("", |e| e.constraint.as_str()))
            } else {
                "✗".to_string()
            };
            let why = reason(o, is_star);
            let why_style = if !o.feasible {
                theme.bad
            } else if o.why_not_recommended.is_some() {
                theme.warn
            } else {
                theme.dim
            };
            let u = &o.utilization;
            let cells: Vec<Span> = vec![
                Span::styled(pad(&format!("{mark}{fold}"), widths[0], false), theme.star),
                Span::raw(pad(&label, widths[1], false)),
                Span::styled(pad(&more, widths[2], false), theme.dim),
                Span::raw(pad(&format_usd(o.monthly_usd), widths[3], true)),
                Span::styled(pad(&fit, widths[4], false), fit_style(o.feasible, theme)),
                bar(u.memory, headroom, widths[5], theme),
                bar(u.cpu, headroom, widths[6], theme),
                bar(u.network, headroom, widths[7], theme),
                bar(u.connections, headroom, widths[8], theme),
                Span::styled(pad(&why, widths[9], false), why_style),
            ];
            let mut spans = vec![Span::raw(" ")];
            for (cell, w) in cells.into_iter().zip(&widths) {
                if *w > 0 {
                    spans.push(cell);
                    spans.push(Span::raw(" "));
                }
            }
            let mut line = Line::from(spans);
            if n == at {
                line = line.style(theme.selected);
            }
            lines.push(line);
        }
        if rows.rows.is_empty() {
            let text = if view.filter.is_empty() {
                "no option to show: f shows the ones that do not fit, o other protocols".to_string()
            } else {
                format!("no option matches '{}' (Esc clears the filter)", view.filter)
            };
            lines.push(Line::from(Span::styled(format!(" {text}"), Style::default().patch(theme.warn))));
        }
        draw_lines(&lines, body, buf);
    }
}

#[cfg(test)]
mod tests {
    use crate::tui::app::tests::{app, open, org_app, press};
    use crate::tui::view::testing::{SIZES, draw};
    use crossterm::event::KeyCode;

    #[test]
    fn options_screen() {
        let mut a = app();
        open(&mut a, 3);
        for (w, h) in SIZES {
            let screen = draw(&a, w, h).to_string();
            assert!(screen.contains("★"), "the recommended option is marked");
            insta::assert_snapshot!(format!("options_{w}x{h}"), draw(&a, w, h));
        }
        // a what-if step shows its delta on its own line
        press(&mut a, KeyCode::Char('d'));
        crate::tui::app::tests::settle(&mut a);
        let screen = draw(&a, 80, 24).to_string();
        assert!(screen.contains("what-if data +10% → $") && screen.contains("(0 resets)"), "{screen}");
    }

    #[test]
    fn options_screen_of_an_organisation() {
        let mut a = org_app(40);
        open(&mut a, 5);
        for (w, h) in SIZES {
            insta::assert_snapshot!(format!("options_org40_{w}x{h}"), draw(&a, w, h));
        }
    }

    #[test]
    fn every_fitting_row_cheaper_than_the_star_says_why_it_is_not_the_star() {
        let mut a = app();
        open(&mut a, 3);
        let env = a.env().unwrap();
        let report = env.report().unwrap();
        let star = report.recommended().unwrap();
        for row in &a.option_rows().rows {
            let o = &report.options[row.index];
            if o.feasible && o.monthly_usd < star.monthly_usd {
                assert!(!super::reason(o, false).is_empty(), "{} says nothing", o.id);
            }
        }
    }
}
