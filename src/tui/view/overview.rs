//! The All tab: every environment in a scrollable, sortable, filterable table (name, region,
//! current, recommended, monthly, change, warnings), the totals pinned under it, and the selected
//! row in full below (a long name or warning cut in the table is whole there).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::text::{Col, draw_lines, ellipsize, fit_columns, width_of};
use super::{delta_style, signed_usd, spinner};
use crate::model::units::format_usd;
use crate::tui::app::{App, ViewInfo};
use crate::tui::rows::AllSort;
use crate::tui::summary::{EnvSummary, totals};

/// The overview.
pub struct Overview<'a> {
    /// The app.
    pub app: &'a App,
}

const COLUMNS: [(AllSort, &str, bool); 7] = [
    (AllSort::Env, "environment", false),
    (AllSort::Region, "region", false),
    (AllSort::Current, "current", true),
    (AllSort::Recommended, "recommended", false),
    (AllSort::Monthly, "monthly", true),
    (AllSort::Delta, "change", true),
    (AllSort::Warnings, "warnings", false),
];

fn cell(text: &str, width: u16, right: bool) -> String {
    let t = ellipsize(text, usize::from(width));
    let pad = usize::from(width).saturating_sub(width_of(&t) as usize);
    if right { format!("{}{t}", " ".repeat(pad)) } else { format!("{t}{}", " ".repeat(pad)) }
}

impl Widget for Overview<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let theme = &app.theme;
        let rows = app.all_rows();
        let title = format!(
            " all environments · {}{} · sorted by {}{} ",
            rows.len(),
            if rows.len() == app.envs.len() {
                String::new()
            } else {
                format!(" of {} (filter '{}')", app.envs.len(), app.all_filter)
            },
            app.all_sort.0.label(),
            if app.all_sort.1 { " ↓" } else { "" }
        );
        let block = Block::bordered().title(title.as_str()).border_style(theme.border);
        let inner = block.inner(area);
        block.render(area, buf);
        // the totals right under the last row, or pinned at the bottom when the rows scroll
        let rows_h = u16::try_from(rows.len().max(1)).unwrap_or(u16::MAX).min(inner.height.saturating_sub(4).max(1));
        let [head, body, total, detail, _] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(rows_h),
            Constraint::Length(1),
            Constraint::Length(2),
            Constraint::Min(0),
        ])
        .areas(inner);

        // column widths: the name and the money first, then the recommendation, then the rest
        let longest = |f: &dyn Fn(usize) -> usize| rows.iter().map(|&i| f(i)).max().unwrap_or(0);
        let name_w = longest(&|i| app.envs[i].base.name.chars().count()).max(11);
        let label_w = longest(&|i| {
            app.envs[i].summary().and_then(|s| s.recommended.as_ref()).map_or(12, |r| r.label.chars().count())
        });
        let cap = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
        let widths = fit_columns(
            inner.width.saturating_sub(1),
            &[
                Col::keep(20, cap(name_w).min(28), 0).up_to(cap(name_w)),
                Col::extra(14, 14, 3),
                Col::keep(10, 11, 2),
                Col::keep(14, cap(label_w).max(11), 1),
                Col::keep(10, 11, 0),
                Col::keep(10, 11, 1),
                Col::extra(4, 12, 2).up_to(u16::MAX),
            ],
        );
        let line_of = |cells: Vec<(String, Style)>| {
            let mut spans = vec![Span::raw(" ")];
            for ((text, style), w) in cells.into_iter().zip(&widths) {
                if *w > 0 {
                    spans.push(Span::styled(text, style));
                    spans.push(Span::raw(" "));
                }
            }
            Line::from(spans)
        };
        let header: Vec<(String, Style)> = COLUMNS
            .iter()
            .zip(&widths)
            .map(|((sort, name, right), w)| {
                let mark = if app.all_sort.0 == *sort { if app.all_sort.1 { "↓" } else { "↑" } } else { "" };
                let name = if *sort == AllSort::Warnings && *w < 9 { "⚠" } else { name };
                (cell(&format!("{name}{mark}"), *w, *right), theme.dim.add_modifier(Modifier::BOLD))
            })
            .collect();
        draw_lines(&[line_of(header)], head, buf);

        // the window of rows, keeping the selection in view
        let height = usize::from(body.height);
        let at = rows.iter().position(|&i| i == app.all_selected).unwrap_or(0);
        let mut first = app.view_info.get().all.0.min(rows.len().saturating_sub(height));
        if at < first {
            first = at;
        } else if at >= first + height {
            first = at + 1 - height;
        }
        app.view_info.set(ViewInfo { all: (first, height), ..app.view_info.get() });
        // where the window is, on the top border's right
        let place = if rows.len() > height {
            format!(
                " rows {}–{} of {} · / filter · s sort · Enter open ",
                first + 1,
                (first + height).min(rows.len()),
                rows.len()
            )
        } else {
            " / filter · s sort · Enter open ".to_string()
        };
        let title_w = width_of(&title);
        let place_w = width_of(&place);
        if title_w + place_w + 4 <= area.width {
            let at = Rect { x: area.x + area.width - place_w - 1, y: area.y, width: place_w, height: 1 };
            Paragraph::new(Line::from(place)).style(theme.border).render(at, buf);
        }
        app.hits.borrow_mut().list = (body.y, body.height);
        let mut lines = Vec::new();
        for (n, &i) in rows.iter().enumerate().skip(first).take(height) {
            let env = &app.envs[i];
            let mark = if env.whatif.is_active() { "*" } else { "" };
            let name = format!("{}{mark}", env.base.name);
            let c = |k: usize, text: &str, style: Style| (cell(text, widths[k], COLUMNS[k].2), style);
            let mut cells = vec![c(0, &name, theme.base), c(1, &env.base.region, theme.base)];
            match (&env.summary, env.error()) {
                (_, Some(e)) => {
                    cells.push(c(2, "", theme.base));
                    // the reason in full is on the line under the table when the row is selected
                    let what = if e.starts_with("not evaluated") { "not evaluated" } else { "error (below)" };
                    cells.push(c(3, what, theme.bad));
                }
                (None, _) => {
                    cells.push(c(2, "", theme.base));
                    cells.push(c(3, &format!("{} {}", spinner(app.ticks), super::pending_word(env)), theme.dim));
                }
                (Some(Ok(s)), _) => cells.extend(summary_cells(s, &widths, theme)),
                (Some(Err(_)), _) => {}
            }
            let mut line = line_of(cells);
            if n == at {
                line = line.style(theme.selected);
            }
            lines.push(line);
        }
        if rows.is_empty() {
            lines.push(Line::from(Span::styled(
                format!(" no environment matches '{}' (Esc clears the filter)", app.all_filter),
                theme.warn,
            )));
        }
        draw_lines(&lines, body, buf);

        // totals over the rows shown (all environments when there is no filter)
        let summaries: Vec<&EnvSummary> = rows.iter().filter_map(|&i| app.envs[i].summary()).collect();
        let t = totals(summaries.iter().copied());
        let bold = theme.active;
        let failed = rows.iter().filter(|&&i| app.envs[i].error().is_some()).count();
        let pending = rows.len() - t.evaluated - failed.min(rows.len() - t.evaluated);
        let label = if pending > 0 {
            format!("total ({pending} evaluating)")
        } else if failed > 0 {
            format!("total ({failed} failed)")
        } else if t.compared > 0 && t.compared < t.evaluated {
            format!("total (change of {})", t.compared)
        } else {
            "total".to_string()
        };
        let current = if t.with_current == 0 { "—".to_string() } else { format_usd(t.current) };
        let change = if t.compared == 0 { "—".to_string() } else { signed_usd(t.delta) };
        let notes: usize = summaries.iter().filter(|s| !s.warnings().is_empty()).count();
        let cells = vec![
            (cell(&label, widths[0], false), bold),
            (cell("", widths[1], false), bold),
            (cell(&current, widths[2], true), bold),
            (cell("", widths[3], false), theme.dim),
            (cell(&if t.evaluated == 0 { "—".to_string() } else { format_usd(t.recommended) }, widths[4], true), bold),
            (cell(&change, widths[5], true), if t.compared == 0 { bold } else { delta_style(t.delta, theme) }),
            (
                cell(
                    &match notes {
                        0 => String::new(),
                        n if widths[6] < 14 => format!("⚠ {n}"),
                        n => format!("{n} with warnings"),
                    },
                    widths[6],
                    false,
                ),
                theme.warn,
            ),
        ];
        draw_lines(&[line_of(cells)], total, buf);

        // the selected environment in full
        let mut detail_lines = Vec::new();
        if let Some(env) = app.envs.get(app.all_selected).filter(|_| !rows.is_empty()) {
            let mut spans = vec![
                Span::styled(format!(" {}", env.base.name), theme.active),
                Span::raw(format!(" · {}", env.base.region)),
            ];
            if let Some(e) = env.error() {
                spans.push(Span::styled(format!(" · {e}"), theme.bad));
            } else if let Some(s) = env.summary() {
                if let Some(r) = &s.recommended {
                    spans.push(Span::raw(format!(" · ★ {}", r.id)));
                }
                if let (Some(d), Some(c)) = (s.delta(), &s.current) {
                    spans.push(Span::styled(
                        format!(" · {} a month against today's {}", super::change_words(d), c.label),
                        delta_style(d, theme),
                    ));
                }
                for w in s.warnings() {
                    spans.push(Span::styled(format!(" · {w}"), theme.warn));
                }
                if let Some(n) = s.notes.first() {
                    spans.push(Span::styled(format!(" · {n}"), theme.dim));
                }
            }
            detail_lines.push(Line::from(spans));
        }
        Paragraph::new(detail_lines).wrap(Wrap { trim: false }).render(detail, buf);
    }
}

fn summary_cells(s: &EnvSummary, widths: &[u16], theme: &crate::tui::theme::Theme) -> Vec<(String, Style)> {
    let c = |k: usize, text: &str, style: Style| (cell(text, widths[k], COLUMNS[k].2), style);
    let current = s.current.as_ref().map_or_else(|| "—".to_string(), |c| format_usd(c.monthly));
    let mut out = vec![c(2, &current, if s.current.is_some() { theme.base } else { theme.dim })];
    match &s.recommended {
        Some(r) => {
            out.push(c(3, &r.label, theme.base));
            out.push(c(4, &format_usd(r.monthly), theme.base));
        }
        None => {
            out.push(c(3, "nothing fits", theme.bad));
            out.push(c(4, "—", theme.dim));
        }
    }
    match s.delta() {
        Some(d) => out.push(c(5, &signed_usd(d), delta_style(d, theme))),
        None => out.push(c(5, "—", theme.dim)),
    }
    let warnings = s.warnings();
    let style = if s.recommended.is_none() || s.over_budget.is_some() { theme.bad } else { theme.warn };
    let text =
        if widths[6] < 14 && !warnings.is_empty() { format!("⚠ {}", warnings.len()) } else { warnings.join(" · ") };
    out.push(c(6, &text, style));
    out
}

#[cfg(test)]
mod tests {
    use crate::tui::app::tests::{app, org_app, press, settle};
    use crate::tui::view::testing::{SIZES, draw};
    use crossterm::event::KeyCode;

    #[test]
    fn overview_screen() {
        let a = app();
        for (w, h) in SIZES {
            let screen = draw(&a, w, h).to_string();
            assert!(screen.contains("total") && screen.contains("staging"), "{screen}");
            insta::assert_snapshot!(format!("overview_{w}x{h}"), draw(&a, w, h));
        }
    }

    #[test]
    fn forty_environments_scroll_to_the_last_row_and_total() {
        let mut a = org_app(40);
        for (w, h) in SIZES {
            insta::assert_snapshot!(format!("overview_org40_{w}x{h}"), draw(&a, w, h));
        }
        draw(&a, 80, 24);
        press(&mut a, KeyCode::Char('G'));
        let screen = draw(&a, 80, 24).to_string();
        let last = &a.envs[39].base.name;
        assert!(screen.contains(&last[..14]), "the last row is in view after G:\n{screen}");
        assert!(screen.contains("total"), "{screen}");
        settle(&mut a);
    }

    #[test]
    fn no_current_shows_a_dash_not_zero() {
        let a = app();
        let screen = draw(&a, 120, 40).to_string();
        let dev = screen.lines().find(|l| l.contains(" dev ") && l.contains("serverless")).unwrap();
        assert!(dev.contains('—') && !dev.contains("$0.00"), "{dev}");
    }
}
