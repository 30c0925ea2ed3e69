//! Views: short-lived widgets that borrow the app and draw one frame. The root lays out the
//! header (prices and their age), the tabs, the screen bar (with the what-if delta), the body
//! and the status line, then any overlay.

mod detail;
mod help;
mod metrics;
mod options;
mod overview;
mod recommendation;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs, Widget};
use rust_decimal::Decimal;

use super::app::{App, EnvView, Loading, Overlay, Screen};
use super::theme::Theme;
use crate::model::units::format_usd;
use crate::report::OptionReport;

pub use detail::Detail;
pub use help::Help;
pub use metrics::MetricsView;
pub use options::OptionsView;
pub use overview::Overview;
pub use recommendation::RecommendationView;
#[cfg(test)]
pub use recommendation::recommendation_text;

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
        let [header, tabs, bar, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(area);
        render_header(app, header, buf);
        Tabs::new(app.tab_titles())
            .select(app.tab)
            .style(theme.dim)
            .highlight_style(theme.active)
            .divider("│")
            .render(tabs, buf);
        match app.env() {
            None => {
                Paragraph::new(Line::from(vec![Span::styled(
                    " all environments: current against recommended, monthly",
                    theme.dim,
                )]))
                .render(bar, buf);
                Overview { app }.render(body, buf);
            }
            Some(env) => {
                render_screen_bar(app, env, bar, buf);
                match app.screen {
                    Screen::Options => OptionsView { app, env }.render(body, buf),
                    Screen::Recommendation => RecommendationView { app, env }.render(body, buf),
                    Screen::Metrics => MetricsView { app, env }.render(body, buf),
                }
            }
        }
        render_footer(app, footer, buf);
        match app.overlay {
            Some(Overlay::Help) => Help { theme }.render(area, buf),
            Some(Overlay::Lines) => {
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
    let width = u16::try_from(prices.chars().count()).unwrap_or(area.width).min(area.width);
    let room = usize::from(area.width - width).saturating_sub(2);
    let mut left = format!(" capplan · plan {}", app.plan_name);
    if left.chars().count() > room {
        left = left.chars().take(room.saturating_sub(1)).collect::<String>() + "…";
    }
    Paragraph::new(Line::from(Span::raw(left))).style(theme.header).render(area, buf);
    let right = Rect { x: area.x + area.width - width, width, ..area };
    let style = if stale { theme.header.patch(theme.bad) } else { theme.header };
    Paragraph::new(Line::from(Span::styled(prices, style))).render(right, buf);
}

fn render_screen_bar(app: &App, env: &EnvView, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let screens =
        [(Screen::Options, "1 Options"), (Screen::Recommendation, "2 Recommendation"), (Screen::Metrics, "3 Metrics")];
    let mut spans = vec![Span::raw(" ")];
    for (screen, label) in screens {
        let style = if app.screen == screen { theme.active } else { theme.dim };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw("  "));
    }
    if let Screen::Metrics = app.screen {
        let state = match &env.metrics {
            Loading::Loading => format!("loading {}", spinner(app.ticks)),
            Loading::Failed(_) => "failed".into(),
            Loading::Absent => "none".into(),
            Loading::Loaded(_) => String::new(),
        };
        if !state.is_empty() {
            spans.push(Span::styled(format!("metrics {state}  "), theme.warn));
        }
    }
    if env.whatif.is_active() {
        let now = env.report.as_ref().ok().and_then(|r| r.recommendation.monthly_usd);
        let delta = match (now, env.plan_monthly) {
            (Some(n), Some(p)) => format!("{}/mo ({} vs plan)", format_usd(n), signed_usd(n - p)),
            (None, _) => "nothing fits".to_string(),
            _ => String::new(),
        };
        // the result first: it is what a narrow terminal must still show
        spans.push(Span::styled(format!("what-if {delta}: {}", env.whatif.describe()), theme.warn));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

fn render_footer(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    if let Some(m) = &app.message {
        let style = if m.error { theme.bad } else { theme.ok };
        Paragraph::new(Line::from(Span::styled(format!(" {}", m.text), style))).render(area, buf);
        return;
    }
    let hints: &[(&str, &str)] = &[
        ("q", "quit"),
        ("?", "help"),
        ("←→", "env"),
        ("1-3", "screen"),
        ("↑↓", "move"),
        ("⏎", "lines"),
        ("d/D r/R", "what-if"),
        ("0", "reset"),
        ("e", "export"),
    ];
    let mut spans = vec![Span::raw(" ")];
    for (k, v) in hints {
        spans.push(Span::styled(*k, theme.key));
        spans.push(Span::styled(format!(" {v}  "), theme.dim));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

/// `+$12.34` / `-$5.00`.
pub fn signed_usd(v: Decimal) -> String {
    let text = format_usd(v);
    if text.starts_with('-') { text } else { format!("+{text}") }
}

/// A rotating spinner frame.
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
