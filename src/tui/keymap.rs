//! Keybindings as data: `(mode, key) → action`, and the help text drawn from the same table.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;

/// Which bindings apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The screens.
    Normal,
    /// An overlay (help, line items) is open.
    Overlay,
}

/// One binding: keys as shown in help, what they do, and the action.
pub struct Binding {
    /// Keys, as shown.
    pub keys: &'static str,
    /// What they do.
    pub help: &'static str,
    /// The action.
    pub action: Action,
}

/// Every binding, in help order.
pub const BINDINGS: &[Binding] = &[
    Binding { keys: "q  Ctrl-C", help: "quit", action: Action::Quit },
    Binding { keys: "?", help: "this help", action: Action::ToggleHelp },
    Binding { keys: "Esc", help: "close overlay / back", action: Action::Back },
    Binding { keys: "Tab  l  →", help: "next environment", action: Action::NextTab },
    Binding { keys: "S-Tab  h  ←", help: "previous environment", action: Action::PrevTab },
    Binding { keys: "1", help: "options", action: Action::ShowOptions },
    Binding { keys: "2", help: "recommendation", action: Action::ShowRecommendation },
    Binding { keys: "3", help: "metrics", action: Action::ShowMetrics },
    Binding { keys: "j  ↓", help: "down / scroll", action: Action::Down },
    Binding { keys: "k  ↑", help: "up / scroll", action: Action::Up },
    Binding { keys: "PgDn  PgUp", help: "page down / up", action: Action::PageDown },
    Binding { keys: "Home  End", help: "first / last row", action: Action::Top },
    Binding { keys: "Enter", help: "line items of selection", action: Action::OpenLines },
    Binding { keys: "f", help: "all / fitting options", action: Action::ToggleFeasible },
    Binding { keys: "d  D", help: "what-if: data ±10%", action: Action::DataUp },
    Binding { keys: "r  R", help: "what-if: requests ±10%", action: Action::RequestsUp },
    Binding { keys: "g  G", help: "what-if: growth ±1%/mo", action: Action::GrowthUp },
    Binding { keys: "E", help: "what-if: next engine", action: Action::CycleEngine },
    Binding { keys: "H", help: "what-if: HA on/off", action: Action::ToggleHa },
    Binding { keys: "M", help: "what-if: measured/plan", action: Action::ToggleMeasured },
    Binding { keys: "0", help: "what-if: reset to plan", action: Action::ResetWhatIf },
    Binding { keys: "z", help: "zoom 1 day/7 days/all", action: Action::CycleZoom },
    Binding { keys: "e", help: "export report (Markdown)", action: Action::Export },
    Binding { keys: "p", help: "where prices come from", action: Action::RefreshPricing },
];

/// The action for a key, if any. Only key presses count (not releases or repeats of releases).
pub fn action(mode: Mode, key: KeyEvent) -> Option<Action> {
    if key.kind != KeyEventKind::Press {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return matches!(key.code, KeyCode::Char('c' | 'C')).then_some(Action::Quit);
    }
    if mode == Mode::Overlay {
        return match key.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('?') => Some(Action::Back),
            KeyCode::Char('q') => Some(Action::Quit),
            KeyCode::Char('j') | KeyCode::Down => Some(Action::Down),
            KeyCode::Char('k') | KeyCode::Up => Some(Action::Up),
            KeyCode::PageDown => Some(Action::PageDown),
            KeyCode::PageUp => Some(Action::PageUp),
            _ => None,
        };
    }
    Some(match key.code {
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Char('?') => Action::ToggleHelp,
        KeyCode::Esc => Action::Back,
        KeyCode::Tab | KeyCode::Char('l') | KeyCode::Right => Action::NextTab,
        KeyCode::BackTab | KeyCode::Char('h') | KeyCode::Left => Action::PrevTab,
        KeyCode::Char('1') => Action::ShowOptions,
        KeyCode::Char('2') => Action::ShowRecommendation,
        KeyCode::Char('3') => Action::ShowMetrics,
        KeyCode::Char('j') | KeyCode::Down => Action::Down,
        KeyCode::Char('k') | KeyCode::Up => Action::Up,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::Home => Action::Top,
        KeyCode::End => Action::Bottom,
        KeyCode::Enter => Action::OpenLines,
        KeyCode::Char('d') => Action::DataUp,
        KeyCode::Char('D') => Action::DataDown,
        KeyCode::Char('r') => Action::RequestsUp,
        KeyCode::Char('R') => Action::RequestsDown,
        KeyCode::Char('g') => Action::GrowthUp,
        KeyCode::Char('G') => Action::GrowthDown,
        KeyCode::Char('E') => Action::CycleEngine,
        KeyCode::Char('H') => Action::ToggleHa,
        KeyCode::Char('M') => Action::ToggleMeasured,
        KeyCode::Char('0') => Action::ResetWhatIf,
        KeyCode::Char('z') => Action::CycleZoom,
        KeyCode::Char('f') => Action::ToggleFeasible,
        KeyCode::Char('e') => Action::Export,
        KeyCode::Char('p') => Action::RefreshPricing,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventState;

    fn key(code: KeyCode, modifiers: KeyModifiers, kind: KeyEventKind) -> KeyEvent {
        KeyEvent { code, modifiers, kind, state: KeyEventState::NONE }
    }

    #[test]
    fn vim_keys_and_arrows_do_the_same() {
        let press = |c| action(Mode::Normal, key(c, KeyModifiers::NONE, KeyEventKind::Press));
        assert_eq!(press(KeyCode::Char('j')), press(KeyCode::Down));
        assert_eq!(press(KeyCode::Char('l')), press(KeyCode::Right));
        assert_eq!(press(KeyCode::Char('h')), Some(Action::PrevTab));
    }

    #[test]
    fn releases_are_ignored_and_ctrl_c_quits_everywhere() {
        assert_eq!(action(Mode::Normal, key(KeyCode::Char('q'), KeyModifiers::NONE, KeyEventKind::Release)), None);
        for mode in [Mode::Normal, Mode::Overlay] {
            assert_eq!(
                action(mode, key(KeyCode::Char('c'), KeyModifiers::CONTROL, KeyEventKind::Press)),
                Some(Action::Quit)
            );
        }
    }

    #[test]
    fn overlays_close_with_esc_and_keep_what_if_keys_away() {
        let k = |c| action(Mode::Overlay, key(c, KeyModifiers::NONE, KeyEventKind::Press));
        assert_eq!(k(KeyCode::Esc), Some(Action::Back));
        assert_eq!(k(KeyCode::Char('d')), None);
    }
}
