//! Every style the terminal app uses, in one place; `NO_COLOR` gets the plain theme.

use ratatui::style::{Color, Modifier, Style};

/// The app's styles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    /// Body text.
    pub base: Style,
    /// Title bar.
    pub header: Style,
    /// The active tab or screen.
    pub active: Style,
    /// Inactive tabs and hints.
    pub dim: Style,
    /// The selected table row.
    pub selected: Style,
    /// Feasible, within headroom.
    pub ok: Style,
    /// Close to the limit.
    pub warn: Style,
    /// Excluded, over the limit, stale.
    pub bad: Style,
    /// Key names in hints and help.
    pub key: Style,
    /// Block borders.
    pub border: Style,
    /// The recommended option.
    pub star: Style,
    /// Capacity lines on charts.
    pub capacity: Style,
    /// Metric lines on charts.
    pub series: Style,
    /// A saving (under `NO_COLOR` the minus sign marks it).
    pub saving: Style,
    /// An increase (under `NO_COLOR` the plus sign marks it).
    pub increase: Style,
}

impl Theme {
    /// Colors.
    pub const fn colored() -> Self {
        Theme {
            base: Style::new(),
            header: Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD),
            active: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            dim: Style::new().fg(Color::DarkGray),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            ok: Style::new().fg(Color::Green),
            warn: Style::new().fg(Color::Yellow),
            bad: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            key: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::DarkGray),
            star: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            capacity: Style::new().fg(Color::Red),
            series: Style::new().fg(Color::Cyan),
            saving: Style::new().fg(Color::Green),
            increase: Style::new().fg(Color::Magenta),
        }
    }

    /// No colors (`NO_COLOR`): emphasis by bold and reverse video only.
    pub const fn plain() -> Self {
        let none = Style::new();
        Theme {
            base: none,
            header: Style::new().add_modifier(Modifier::REVERSED),
            active: Style::new().add_modifier(Modifier::BOLD),
            dim: none,
            selected: Style::new().add_modifier(Modifier::REVERSED),
            ok: none,
            warn: none,
            bad: Style::new().add_modifier(Modifier::BOLD),
            key: Style::new().add_modifier(Modifier::BOLD),
            border: none,
            star: Style::new().add_modifier(Modifier::BOLD),
            capacity: none,
            series: none,
            saving: none,
            increase: none,
        }
    }

    /// The theme for this environment: plain when `NO_COLOR` is set (to anything non-empty).
    pub fn for_env(no_color: bool) -> Self {
        if no_color { Theme::plain() } else { Theme::colored() }
    }
}
