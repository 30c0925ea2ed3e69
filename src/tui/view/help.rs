//! The help overlay: every key by section, drawn from the keymap table, marking the ones that
//! work on the screen underneath; it scrolls and searches like any text.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use crate::tui::app::{App, ViewInfo};
use crate::tui::keymap::{BINDINGS, Section, keys_label};
use crate::tui::theme::Theme;

/// The key list.
pub struct Help<'a> {
    /// The app.
    pub app: &'a App,
}

/// The help text (before wrapping), `width` cells wide.
pub fn help_lines(theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let key_w = BINDINGS.iter().map(|b| keys_label(b).chars().count()).max().unwrap_or(10).min(width / 3).max(6);
    let mut lines = Vec::new();
    for section in Section::ALL {
        lines.push(Line::from(Span::styled(section.title().to_string(), theme.active)));
        for b in BINDINGS.iter().filter(|b| b.section == section) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<key_w$} ", keys_label(b)), theme.key),
                Span::raw(b.help.to_string()),
            ]));
        }
        lines.push(Line::default());
    }
    lines.push(Line::from(Span::styled("mouse", theme.active)));
    lines.push(Line::from("  the wheel scrolls; a click selects a tab, a screen or a row"));
    lines.push(Line::default());
    lines.push(Line::from(Span::styled("option labels", theme.active)));
    lines.push(Line::from(
        "  2x2c = 2 shards x 2 nodes each; c = cluster mode on; r = reads on replicas; od on-demand; \
         1y/3y-nu/pu/au = no/partial/all upfront; ▸ +5 = five more layouts or terms of that node type (x shows them)",
    ));
    lines
}

impl Widget for Help<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let width = area.width.saturating_sub(4).min(90);
        let lines = help_lines(&app.theme, usize::from(width.saturating_sub(2)));
        let height = area.height.saturating_sub(2);
        let popup = Rect { x: area.x + (area.width - width) / 2, y: area.y + 1, width, height };
        Clear.render(popup, buf);
        let block = Block::bordered().title(" keys ").border_style(app.theme.active);
        let inner = block.inner(popup);
        let text = Paragraph::new(lines).wrap(Wrap { trim: false });
        let max =
            u16::try_from(text.line_count(inner.width).saturating_sub(usize::from(inner.height))).unwrap_or(u16::MAX);
        app.view_info.set(ViewInfo { help: (max, inner.height), text_width: inner.width, ..app.view_info.get() });
        let scroll = app.help_scroll.min(max);
        let hint = if max > 0 {
            format!(" ↑↓ scroll ({} of {}) · / search · Esc closes ", scroll + 1, max + 1)
        } else {
            " Esc or ? closes ".to_string()
        };
        text.scroll((scroll, 0)).block(block.title_bottom(hint)).render(popup, buf);
    }
}

#[cfg(test)]
mod tests {
    use crate::tui::app::tests::{app, press};
    use crate::tui::keymap::BINDINGS;
    use crate::tui::view::testing::{SIZES, draw};
    use crossterm::event::KeyCode;

    #[test]
    fn help_overlay() {
        let mut a = app();
        press(&mut a, KeyCode::Char('?'));
        for (w, h) in SIZES {
            insta::assert_snapshot!(format!("help_{w}x{h}"), draw(&a, w, h));
        }
        let screen = draw(&a, 200, 60).to_string();
        for b in BINDINGS {
            assert!(screen.contains(b.help), "help lists '{}'", b.help);
        }
    }

    #[test]
    fn help_scrolls_to_its_end_on_the_smallest_terminal() {
        let mut a = app();
        press(&mut a, KeyCode::Char('?'));
        draw(&a, 60, 16);
        press(&mut a, KeyCode::Char('G'));
        let screen = draw(&a, 60, 16).to_string();
        assert!(screen.contains("upfront"), "the last lines are in view:\n{screen}");
        press(&mut a, KeyCode::Char('g'));
        press(&mut a, KeyCode::Char('g'));
        assert!(draw(&a, 60, 16).to_string().contains("move"));
    }
}
