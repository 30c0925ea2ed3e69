//! Views: short-lived widgets that borrow the app and draw one frame. The root lays out the
//! header (prices and their age), the tab bar (scrolled to keep the selection in view), the
//! screen bar, the what-if line when one is active, the body and the footer (the keys of the
//! screen in view, a message, or the prompt), then any overlay.

mod detail;
mod help;
mod metrics;
mod options;
mod overview;
mod recommendation;
pub mod text;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use rust_decimal::Decimal;

use super::app::{App, EnvView, Loading, Overlay, PromptKind, Screen};
use super::keymap;
use super::theme::Theme;
use crate::model::units::format_usd;
use crate::report::OptionReport;

pub use detail::{Detail, detail_lines};
pub use help::{Help, help_lines};
pub use metrics::MetricsView;
pub use options::OptionsView;
pub use overview::Overview;
#[cfg(test)]
pub use recommendation::recommendation_text;
pub use recommendation::{RecommendationView, recommendation_lines};
use text::{ellipsize, width_of};

/// Smallest terminal the layout draws in.
pub const MIN_SIZE: (u16, u16) = (60, 16);

/// The whole frame.
pub struct Root<'a> {
    /// The app.
    pub app: &'a App,
}

impl Widget for Root<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let theme = &app.theme;
        if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
            Paragraph::new(vec![
                Line::from("capplan"),
                Line::from(format!("terminal too small: {}x{}", area.width, area.height)),
                Line::from(format!("needs {}x{}; q quits", MIN_SIZE.0, MIN_SIZE.1)),
            ])
            .render(area, buf);
            return;
        }
        let whatif = app.env().is_some_and(|e| e.whatif.is_active());
        let [header, tabs, bar, whatif_line, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(u16::from(whatif)),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(area);
        render_header(app, header, buf);
        // the option details cover every row between the header and the footer: what they hide
        // is not drawn
        let detail = match (app.overlay, app.env()) {
            (Some(Overlay::Detail), Some(env)) => Some(Detail { app, env }),
            _ => None,
        };
        if let Some(detail) = detail.filter(Detail::covers) {
            render_footer(app, footer, buf);
            detail.render(area, buf);
            return;
        }
        render_tabs(app, tabs, buf);
        match app.env() {
            None => {
                let evaluated = app.evaluated();
                let total = app.envs.len();
                let mut spans =
                    vec![Span::styled(" all environments: current against recommended, monthly", theme.dim)];
                if evaluated < total {
                    spans.push(Span::styled(
                        format!("   evaluating {} {evaluated} of {total}", spinner(app.ticks)),
                        theme.warn,
                    ));
                }
                Paragraph::new(Line::from(spans)).render(bar, buf);
                app.hits.borrow_mut().screens = (bar.y, Vec::new());
                Overview { app }.render(body, buf);
            }
            Some(env) => {
                render_screen_bar(app, env, bar, buf);
                if whatif {
                    render_whatif(app, env, whatif_line, buf);
                }
                if let Some(e) = env.error() {
                    Paragraph::new(format!("cannot evaluate {}: {e}", env.base.name))
                        .style(theme.bad)
                        .wrap(ratatui::widgets::Wrap { trim: true })
                        .render(body, buf);
                } else if env.report().is_none() {
                    let what = match (&env.metrics_at, &env.metrics) {
                        (Some((_, at)), Loading::Idle | Loading::Loading) => {
                            format!("measuring {}: reading {}", env.base.name, at.name())
                        }
                        _ => format!("evaluating {}", env.base.name),
                    };
                    Paragraph::new(format!(" {} {what}…", spinner(app.ticks))).style(theme.dim).render(body, buf);
                } else {
                    match app.screen {
                        Screen::Options => OptionsView { app, env }.render(body, buf),
                        Screen::Recommendation => RecommendationView { app, env }.render(body, buf),
                        Screen::Metrics => MetricsView { app, env }.render(body, buf),
                    }
                }
            }
        }
        render_footer(app, footer, buf);
        match app.overlay {
            Some(Overlay::Help) => Help { app }.render(area, buf),
            Some(Overlay::Detail) => {
                if let Some(env) = app.env() {
                    Detail { app, env }.render(area, buf);
                }
            }
            None => {}
        }
    }
}

fn render_header(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    buf.set_style(area, theme.header);
    let age = (app.as_of - app.book.as_of).num_days();
    let stale = age > crate::report::STALE_AFTER_DAYS;
    let age_words = if age < 0 { "dated after --as-of".to_string() } else { format!("{age} d") };
    let prices = format!(
        "prices: {} as of {} ({age_words}{}) ",
        app.book.origin,
        app.book.as_of,
        if stale { ", STALE" } else { "" }
    );
    let prices = if width_of(&prices) + 30 <= area.width {
        prices
    } else {
        format!("prices {} ({age_words}{}) ", app.book.as_of, if stale { ", STALE" } else { "" })
    };
    let width = width_of(&prices).min(area.width);
    let room = usize::from(area.width - width).saturating_sub(1);
    let left = ellipsize(&format!(" capplan · {} · {} envs", app.plan_name, app.envs.len()), room);
    Paragraph::new(Line::from(Span::raw(left))).style(theme.header).render(area, buf);
    let right = Rect { x: area.x + area.width - width, width, ..area };
    let style = if stale { theme.header.patch(theme.bad) } else { theme.header };
    Paragraph::new(Line::from(Span::styled(prices, style))).render(right, buf);
}

/// The tab bar: `All` and one tab per environment, scrolled so the active tab is in view, with
/// how many tabs are left and right of it.
fn render_tabs(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let titles: Vec<String> = std::iter::once("All".to_string())
        .chain(app.envs.iter().map(|e| format!("{}{}", e.base.name, if e.whatif.is_active() { "*" } else { "" })))
        .collect();
    let width = usize::from(area.width);
    let cap = (width / 2).max(12);
    let label = |i: usize| ellipsize(&titles[i], cap);
    let cost = |i: usize| width_of(&label(i)) as usize + 3;
    // grow a window around the active tab until the row is full (room for the two counts)
    let room = width.saturating_sub(14);
    let (mut from, mut to) = (app.tab, app.tab + 1);
    let mut used = cost(app.tab);
    loop {
        let mut grew = false;
        if to < titles.len() && used + cost(to) <= room {
            used += cost(to);
            to += 1;
            grew = true;
        }
        if from > 0 && used + cost(from - 1) <= room {
            used += cost(from - 1);
            from -= 1;
            grew = true;
        }
        if !grew {
            break;
        }
    }
    let mut spans = Vec::new();
    let mut hits = Vec::new();
    let mut x = area.x;
    let push = |spans: &mut Vec<Span<'static>>, x: &mut u16, text: String, style: Style| {
        *x += width_of(&text);
        spans.push(Span::styled(text, style));
    };
    if from > 0 {
        push(&mut spans, &mut x, format!("‹{from} "), theme.dim);
    }
    for i in from..to {
        let start = x;
        let style = if i == app.tab { theme.active.patch(theme.selected) } else { theme.dim };
        push(&mut spans, &mut x, format!(" {} ", label(i)), style);
        hits.push((start, x, i));
        if i + 1 < to {
            push(&mut spans, &mut x, "│".into(), theme.border);
        }
    }
    if to < titles.len() {
        push(&mut spans, &mut x, format!(" {}›  : go to", titles.len() - to), theme.dim);
    }
    app.hits.borrow_mut().tabs = (area.y, hits);
    Paragraph::new(Line::from(spans)).render(area, buf);
}

fn render_screen_bar(app: &App, env: &EnvView, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let screens =
        [(Screen::Options, "1 Options"), (Screen::Recommendation, "2 Recommendation"), (Screen::Metrics, "3 Metrics")];
    let mut spans = vec![Span::raw(" ")];
    let mut x = area.x + 1;
    let mut hits = Vec::new();
    for (screen, label) in screens {
        let style = if app.screen == screen { theme.active } else { theme.dim };
        spans.push(Span::styled(label, style));
        hits.push((x, x + width_of(label), screen));
        x += width_of(label) + 2;
        spans.push(Span::raw("  "));
    }
    app.hits.borrow_mut().screens = (area.y, hits);
    if env.report().is_some() && !env.fresh() {
        spans.push(Span::styled(format!("recomputing {}  ", spinner(app.ticks)), theme.warn));
    }
    if env.refetching {
        spans.push(Span::styled(format!("fetching metrics {}  ", spinner(app.ticks)), theme.warn));
    } else if let Screen::Metrics = app.screen {
        let state = match &env.metrics {
            Loading::Loading | Loading::Idle => format!("loading {}", spinner(app.ticks)),
            Loading::Failed(_) => "failed".into(),
            Loading::Absent => "none".into(),
            Loading::Loaded(_) => String::new(),
        };
        if !state.is_empty() {
            spans.push(Span::styled(format!("metrics {state}  "), theme.warn));
        }
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

/// The what-if line: what changed, the new recommended cost and the difference from the plan,
/// in the longest form that fits.
fn render_whatif(app: &App, env: &EnvView, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let now = env.summary().and_then(|s| s.recommended.as_ref()).map(|r| r.monthly);
    let what = env.whatif.describe();
    let width = usize::from(area.width);
    let mut spans = vec![Span::styled(" what-if ", theme.warn), Span::raw(format!("{what} → "))];
    match (now, env.plan_monthly) {
        (Some(n), Some(p)) => {
            let d = n - p;
            let long =
                format!("{}/month, {} than at the plan's figures ({})", format_usd(n), change_words(d), format_usd(p));
            let short = format!("{}/mo ({})", format_usd(n), signed_usd(d));
            let fits = width_of(&format!(" what-if {what} → {long}")) as usize <= width;
            spans.push(Span::styled(if fits { long } else { short }, delta_style(d, theme)));
        }
        (None, _) if env.summary().is_some() => spans.push(Span::styled("nothing fits", theme.bad)),
        _ => spans.push(Span::styled(format!("computing {}", spinner(app.ticks)), theme.dim)),
    }
    spans.push(Span::styled("  (0 resets)", theme.dim));
    Paragraph::new(Line::from(spans)).render(area, buf);
}

fn render_footer(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let width = usize::from(area.width);
    if let Some(p) = &app.prompt {
        let (label, tail) = match p.kind {
            PromptKind::Filter => {
                let count = if app.tab == 0 {
                    format!("{} of {}", app.all_rows().len(), app.envs.len())
                } else {
                    let rows = app.option_rows();
                    format!("{} options match", rows.matching)
                };
                ("/ filter: ", format!("   {count} · Enter keeps · Esc clears"))
            }
            PromptKind::Search => ("/ search: ", "   Enter finds · n/N next/previous · Esc cancels".to_string()),
            PromptKind::Jump => {
                let matches = app.jump_matches(&p.text);
                let tail = match matches.get(p.pick % matches.len().max(1)) {
                    Some(&i) => format!(
                        "   → {} ({} of {}; Tab next · Enter go · Esc cancel)",
                        app.envs[i].base.name,
                        p.pick % matches.len() + 1,
                        matches.len()
                    ),
                    None => "   no environment matches".to_string(),
                };
                (": go to: ", tail)
            }
        };
        let head = format!("{label}{}▏", p.text);
        let tail = ellipsize(&tail, width.saturating_sub(width_of(&head) as usize));
        Paragraph::new(Line::from(vec![Span::styled(head, theme.key), Span::styled(tail, theme.dim)]))
            .render(area, buf);
        return;
    }
    if let Some(m) = &app.message {
        let style = if m.error { theme.bad } else { theme.ok };
        Paragraph::new(Line::from(Span::styled(ellipsize(&format!(" {}", m.text), width), style))).render(area, buf);
        return;
    }
    if let Some(k) = app.pending {
        Paragraph::new(Line::from(Span::styled(
            format!(" {}… (g: top, e: go to an environment)", k.label()),
            theme.dim,
        )))
        .render(area, buf);
        return;
    }
    let mut hints = keymap::footer(app.scope());
    // help and quit first: they must fit on any width
    hints.sort_by_key(|(_, w)| match *w {
        "help" => 0,
        "quit" => 1,
        _ => 2,
    });
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1usize;
    for (k, v) in hints {
        let cost = width_of(&k) as usize + width_of(v) as usize + 3;
        if used + cost > width {
            break;
        }
        used += cost;
        spans.push(Span::styled(k, theme.key));
        spans.push(Span::styled(format!(" {v}  "), theme.dim));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

/// `+$12.34` / `-$5.00`.
pub fn signed_usd(v: Decimal) -> String {
    let text = format_usd(v);
    if text.starts_with('-') || text == "$0.00" { text } else { format!("+{text}") }
}

/// `costs $12.34 more` / `saves $5.00` / `costs the same`.
pub fn change_words(delta: Decimal) -> String {
    let text = format_usd(delta.abs());
    if text == "$0.00" {
        "costs the same".into()
    } else if delta.is_sign_negative() {
        format!("saves {text}")
    } else {
        format!("costs {text} more")
    }
}

/// Increases and savings in their own colours (under `NO_COLOR` the sign tells them apart).
pub fn delta_style(delta: Decimal, theme: &Theme) -> Style {
    if format_usd(delta.abs()) == "$0.00" {
        theme.base
    } else if delta.is_sign_negative() {
        theme.saving
    } else {
        theme.increase
    }
}

/// A rotating spinner frame.
/// What an environment without figures is waiting for: its metrics, or its evaluation.
pub fn pending_word(env: &super::app::EnvView) -> &'static str {
    if env.metrics_at.is_some() && matches!(env.metrics, Loading::Idle | Loading::Loading) {
        "measuring"
    } else {
        "evaluating"
    }
}

/// A spinner frame for `ticks`.
pub fn spinner(ticks: u64) -> &'static str {
    ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"][usize::try_from(ticks % 10).unwrap_or(0)]
}

/// A headroom bar `width` cells wide for a share `used` of capacity (eighth-cell precision).
pub fn bar(used: Option<f64>, headroom: f64, width: u16, theme: &Theme) -> Span<'static> {
    let Some(u) = used else { return Span::styled(format!("{:<w$}", "·", w = usize::from(width)), theme.dim) };
    let cells = usize::from(width);
    let eighths = ((u.clamp(0.0, 1.0) * (cells * 8) as f64).round() as usize).min(cells * 8);
    let full = eighths / 8;
    let part = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8];
    let mut text = "█".repeat(full);
    text.push_str(part);
    let shown = full + usize::from(!part.is_empty());
    text.push_str(&"░".repeat(cells.saturating_sub(shown)));
    let style = if u > headroom {
        theme.bad
    } else if u > headroom * 0.8 {
        theme.warn
    } else {
        theme.ok
    };
    Span::styled(text, style)
}

/// A compact option label: `valkey r6g.xlarge 1x2 1y-nu`, `serverless valkey`, `upstash payg`;
/// after the layout `c` marks cluster mode and `r` reads served by replicas.
pub fn short_label(o: &OptionReport) -> String {
    let term = |t: &str| match t {
        "on-demand" => "od".to_string(),
        other => other
            .replace("yr-", "y-")
            .replace("no-upfront", "nu")
            .replace("partial-upfront", "pu")
            .replace("all-upfront", "au"),
    };
    let node = |n: &str| n.trim_start_matches("cache.").to_string();
    match o.kind {
        crate::model::evaluate::OptionKind::Serverless => format!("serverless {}", o.engine.id()),
        crate::model::evaluate::OptionKind::Upstash => format!("upstash {}", o.plan.as_deref().unwrap_or("")),
        crate::model::evaluate::OptionKind::Node => {
            let cluster = if o.cluster_mode == Some(true) { "c" } else { "" };
            let reads = if o.replica_reads == Some(true) { "r" } else { "" };
            format!(
                "{} {} {}x{}{cluster}{reads} {}",
                o.engine.id(),
                node(o.node_type.as_deref().unwrap_or("")),
                o.shards.unwrap_or(1),
                1 + o.replicas.unwrap_or(0),
                term(o.term.as_deref().unwrap_or(""))
            )
        }
        crate::model::evaluate::OptionKind::Split => match (&o.adapter, &o.state) {
            (Some(a), Some(s)) => format!(
                "split {} {}+{} {}",
                o.engine.id(),
                node(&a.node_type),
                node(&s.node_type),
                term(o.term.as_deref().unwrap_or(""))
            ),
            _ => o.id.clone(),
        },
    }
}

/// Style for a feasible/excluded mark.
pub fn fit_style(feasible: bool, theme: &Theme) -> Style {
    if feasible { theme.ok } else { theme.bad }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Snapshot helpers shared by the view tests.
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::Root;
    use crate::tui::app::App;

    /// Draw the app at `w`×`h` and return the backend for `insta::assert_snapshot!`.
    pub fn draw(app: &App, w: u16, h: u16) -> TestBackend {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| f.render_widget(Root { app }, f.area())).unwrap();
        terminal.backend().clone()
    }

    /// The sizes every screen is checked at.
    pub const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (200, 60)];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::tests::app;

    #[test]
    fn bars_fill_by_eighths_and_mark_the_limit() {
        let t = Theme::plain();
        assert_eq!(bar(Some(0.0), 0.75, 4, &t).content, "░░░░");
        assert_eq!(bar(Some(0.5), 0.75, 4, &t).content, "██░░");
        assert_eq!(bar(Some(1.7), 0.75, 4, &t).content, "████");
        assert_eq!(bar(None, 0.75, 3, &t).content, "·  ");
    }

    #[test]
    fn changes_read_as_words_and_signs() {
        assert_eq!(change_words(Decimal::new(351_656, 2)), "costs $3,516.56 more");
        assert_eq!(change_words(Decimal::new(-500, 2)), "saves $5.00");
        assert_eq!(change_words(Decimal::ZERO), "costs the same");
        assert_eq!(signed_usd(Decimal::new(-500, 2)), "-$5.00");
        assert_eq!(signed_usd(Decimal::new(500, 2)), "+$5.00");
        let t = Theme::colored();
        assert_ne!(delta_style(Decimal::ONE, &t), delta_style(-Decimal::ONE, &t));
    }

    /// Every screen of one environment of a 40-environment plan, at every size.
    #[test]
    fn every_screen_of_an_organisation() {
        use crate::tui::app::tests::{open, org_app, press};
        use crossterm::event::KeyCode;
        let mut a = org_app(40);
        open(&mut a, 12);
        for (name, keys) in [
            ("metrics", vec![KeyCode::Char('3')]),
            ("detail", vec![KeyCode::Char('1'), KeyCode::Enter]),
            ("help", vec![KeyCode::Esc, KeyCode::Char('?')]),
        ] {
            for k in keys {
                press(&mut a, k);
            }
            for (w, h) in testing::SIZES {
                insta::assert_snapshot!(format!("org40_{name}_{w}x{h}"), testing::draw(&a, w, h));
            }
        }
    }

    #[test]
    fn stale_prices_are_flagged_in_the_header() {
        let mut a = app();
        assert!(!testing::draw(&a, 120, 40).to_string().contains("STALE"));
        a.as_of = chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
        assert!(testing::draw(&a, 120, 40).to_string().contains("d, STALE"));
    }

    #[test]
    fn a_tiny_terminal_gets_a_message_not_a_panic() {
        let a = app();
        for (w, h) in [(1, 1), (20, 2)] {
            testing::draw(&a, w, h);
        }
        for (w, h) in [(40, 5), (59, 30), (200, 15)] {
            assert!(testing::draw(&a, w, h).to_string().contains("terminal too small"), "{w}x{h}");
        }
    }
}
