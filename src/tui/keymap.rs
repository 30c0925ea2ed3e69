//! Keybindings as data: one table of `(keys, where, action, help, footer label)` that drives the
//! key handling, the help overlay and the footer of every screen.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;

/// Where a binding applies: a set of screens and overlays, as bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope(u16);

impl Scope {
    /// The All tab.
    pub const ALL: Scope = Scope(1);
    /// An environment's Options screen.
    pub const OPTIONS: Scope = Scope(2);
    /// An environment's Recommendation screen.
    pub const REC: Scope = Scope(4);
    /// An environment's Metrics screen.
    pub const METRICS: Scope = Scope(8);
    /// The help overlay.
    pub const HELP: Scope = Scope(16);
    /// The option-details overlay.
    pub const DETAIL: Scope = Scope(32);
    /// The three screens of an environment.
    pub const ENV: Scope = Scope(2 | 4 | 8);
    /// Every screen (no overlay).
    pub const SCREENS: Scope = Scope(1 | 2 | 4 | 8);
    /// Lists (rows to select).
    pub const LISTS: Scope = Scope(1 | 2);
    /// Everything that moves or scrolls.
    pub const MOVES: Scope = Scope(1 | 2 | 4 | 8 | 16 | 32);
    /// Texts that scroll and search.
    pub const TEXTS: Scope = Scope(4 | 16 | 32);
    /// Everywhere.
    pub const EVERYWHERE: Scope = Scope(63);

    /// Whether `self` includes any of `other`.
    pub const fn has(self, other: Scope) -> bool {
        self.0 & other.0 != 0
    }

    const fn or(self, other: Scope) -> Scope {
        Scope(self.0 | other.0)
    }
}

/// One key with its modifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Ctrl (Shift is in the character itself; Alt is not used).
    pub ctrl: bool,
}

impl Key {
    const fn ch(c: char) -> Key {
        Key { code: KeyCode::Char(c), ctrl: false }
    }
    const fn ctrl(c: char) -> Key {
        Key { code: KeyCode::Char(c), ctrl: true }
    }
    const fn code(code: KeyCode) -> Key {
        Key { code, ctrl: false }
    }

    /// The key of a terminal key event (Shift folded into the character).
    pub fn of(event: KeyEvent) -> Key {
        let code = match event.code {
            KeyCode::Char(c) if event.modifiers.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            other => other,
        };
        Key { code, ctrl: event.modifiers.contains(KeyModifiers::CONTROL) }
    }

    /// As shown in help: `j`, `Ctrl-D`, `PgDn`, `↓`.
    pub fn label(self) -> String {
        let name = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            other => format!("{other:?}"),
        };
        if self.ctrl { format!("Ctrl-{}", name.to_uppercase()) } else { name }
    }
}

/// A key, or two in sequence (`g g`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chord(pub Key, pub Option<Key>);

impl Chord {
    /// `g g` → `gg`.
    pub fn label(self) -> String {
        match self.1 {
            Some(second) => format!("{}{}", self.0.label(), second.label()),
            None => self.0.label(),
        }
    }
}

const fn k(key: Key) -> Chord {
    Chord(key, None)
}
const fn kk(first: char, second: char) -> Chord {
    Chord(Key::ch(first), Some(Key::ch(second)))
}

/// The help overlay's sections, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// Moving around.
    Move,
    /// Lists and texts.
    Find,
    /// The option table.
    Options,
    /// What-if changes.
    WhatIf,
    /// Everything else.
    App,
}

impl Section {
    /// Every section, in help order.
    pub const ALL: [Section; 5] = [Section::Move, Section::Find, Section::Options, Section::WhatIf, Section::App];

    /// Its heading.
    pub fn title(self) -> &'static str {
        match self {
            Section::Move => "move",
            Section::Find => "find and sort",
            Section::Options => "options",
            Section::WhatIf => "what-if (this environment, recomputed at once)",
            Section::App => "app",
        }
    }
}

/// One binding.
pub struct Binding {
    /// The keys, any of which does it.
    pub keys: &'static [Chord],
    /// Where it applies.
    pub scope: Scope,
    /// What it does.
    pub action: Action,
    /// What it does, in help.
    pub help: &'static str,
    /// Its word in the footer, when it has one there.
    pub footer: Option<&'static str>,
    /// Its help section.
    pub section: Section,
}

const fn b(
    keys: &'static [Chord],
    scope: Scope,
    action: Action,
    help: &'static str,
    footer: Option<&'static str>,
    section: Section,
) -> Binding {
    Binding { keys, scope, action, help, footer, section }
}

use Section as S;

/// Every binding, in help order (within a section).
pub const BINDINGS: &[Binding] = &[
    b(&[k(Key::ch('j')), k(Key::code(KeyCode::Down))], Scope::MOVES, Action::Down, "down / scroll down", None, S::Move),
    b(&[k(Key::ch('k')), k(Key::code(KeyCode::Up))], Scope::MOVES, Action::Up, "up / scroll up", None, S::Move),
    b(
        &[k(Key::code(KeyCode::PageDown)), k(Key::ctrl('f'))],
        Scope::MOVES,
        Action::PageDown,
        "a page down (the visible height)",
        None,
        S::Move,
    ),
    b(&[k(Key::code(KeyCode::PageUp)), k(Key::ctrl('b'))], Scope::MOVES, Action::PageUp, "a page up", None, S::Move),
    b(&[k(Key::ctrl('d'))], Scope::MOVES, Action::HalfPageDown, "half a page down", None, S::Move),
    b(&[k(Key::ctrl('u'))], Scope::MOVES, Action::HalfPageUp, "half a page up", None, S::Move),
    b(&[kk('g', 'g'), k(Key::code(KeyCode::Home))], Scope::MOVES, Action::Top, "to the top", None, S::Move),
    b(&[k(Key::ch('G')), k(Key::code(KeyCode::End))], Scope::MOVES, Action::Bottom, "to the bottom", None, S::Move),
    b(
        &[k(Key::code(KeyCode::Tab)), k(Key::ch('l')), k(Key::code(KeyCode::Right))],
        Scope::SCREENS,
        Action::NextTab,
        "next environment",
        Some("env"),
        S::Move,
    ),
    b(
        &[k(Key::code(KeyCode::BackTab)), k(Key::ch('h')), k(Key::code(KeyCode::Left))],
        Scope::SCREENS,
        Action::PrevTab,
        "previous environment",
        None,
        S::Move,
    ),
    b(
        &[k(Key::ch(':')), kk('g', 'e')],
        Scope::SCREENS,
        Action::Jump,
        "go to an environment by name",
        Some("go to"),
        S::Move,
    ),
    b(&[k(Key::code(KeyCode::Enter))], Scope::ALL, Action::Open, "open the environment", Some("open"), S::Move),
    b(&[k(Key::ch('1'))], Scope::ENV, Action::ShowOptions, "Options screen", None, S::Move),
    b(&[k(Key::ch('2'))], Scope::ENV, Action::ShowRecommendation, "Recommendation screen", None, S::Move),
    b(&[k(Key::ch('3'))], Scope::ENV, Action::ShowMetrics, "Metrics screen", None, S::Move),
    b(&[k(Key::ch('/'))], Scope::LISTS, Action::Search, "filter the list as you type", Some("filter"), S::Find),
    b(&[k(Key::ch('/'))], Scope::TEXTS, Action::Search, "search the text as you type", Some("search"), S::Find),
    b(&[k(Key::ch('n'))], Scope::LISTS.or(Scope::TEXTS), Action::NextMatch, "next match", None, S::Find),
    b(&[k(Key::ch('N'))], Scope::LISTS.or(Scope::TEXTS), Action::PrevMatch, "previous match", None, S::Find),
    b(&[k(Key::ch('s'))], Scope::LISTS, Action::SortNext, "sort by the next column", Some("sort"), S::Find),
    b(&[k(Key::ch('S'))], Scope::LISTS, Action::SortReverse, "reverse the sort", None, S::Find),
    b(
        &[k(Key::code(KeyCode::Enter))],
        Scope::OPTIONS,
        Action::Open,
        "the option in full: why, line items, prices",
        Some("details"),
        S::Options,
    ),
    b(
        &[k(Key::ch('*'))],
        Scope::OPTIONS,
        Action::JumpToRecommended,
        "to the recommended option ★",
        Some("★"),
        S::Options,
    ),
    b(
        &[k(Key::ch('x')), k(Key::ch(' '))],
        Scope::OPTIONS,
        Action::ToggleExpand,
        "expand / fold the node type's other layouts and terms",
        Some("expand"),
        S::Options,
    ),
    b(
        &[k(Key::ch('f'))],
        Scope::OPTIONS,
        Action::ToggleFeasible,
        "only the options that fit / all",
        Some("fitting"),
        S::Options,
    ),
    b(
        &[k(Key::ch('o'))],
        Scope::OPTIONS,
        Action::ToggleOtherProtocols,
        "show / hide options of another protocol",
        None,
        S::Options,
    ),
    b(&[k(Key::ch('z'))], Scope::METRICS, Action::CycleZoom, "zoom: 1 day, 7 days, all", Some("zoom"), S::Options),
    b(&[k(Key::ch('d'))], Scope::ENV, Action::DataUp, "data +10 %", Some("what-if"), S::WhatIf),
    b(&[k(Key::ch('D'))], Scope::ENV, Action::DataDown, "data -10 %", None, S::WhatIf),
    b(&[k(Key::ch('t'))], Scope::ENV, Action::RequestsUp, "traffic (requests) +10 %", None, S::WhatIf),
    b(&[k(Key::ch('T'))], Scope::ENV, Action::RequestsDown, "traffic (requests) -10 %", None, S::WhatIf),
    b(&[k(Key::ch('+'))], Scope::ENV, Action::GrowthUp, "growth +1 %/month", None, S::WhatIf),
    b(&[k(Key::ch('-'))], Scope::ENV, Action::GrowthDown, "growth -1 %/month", None, S::WhatIf),
    b(&[k(Key::ch('E'))], Scope::ENV, Action::CycleEngine, "the engine the app speaks", None, S::WhatIf),
    b(&[k(Key::ch('H'))], Scope::ENV, Action::ToggleHa, "HA on / off", None, S::WhatIf),
    b(&[k(Key::ch('M'))], Scope::ENV, Action::ToggleMeasured, "measured workload / the plan's", None, S::WhatIf),
    b(&[k(Key::ch('0'))], Scope::ENV, Action::ResetWhatIf, "back to the plan's figures", None, S::WhatIf),
    b(&[k(Key::ch('e'))], Scope::SCREENS, Action::Export, "export the report (Markdown)", Some("export"), S::App),
    b(
        &[k(Key::ch('r'))],
        Scope::ENV,
        Action::RefetchMetrics,
        "fetch the metrics again (a live cache from CloudWatch, a file read again)",
        None,
        S::App,
    ),
    b(
        &[k(Key::ch('p'))],
        Scope::SCREENS,
        Action::RefreshPrices,
        "refresh prices from the AWS Price List, then re-evaluate",
        None,
        S::App,
    ),
    b(&[k(Key::ch('i'))], Scope::SCREENS, Action::PricesInfo, "where prices come from", None, S::App),
    b(
        &[k(Key::code(KeyCode::Esc))],
        Scope::EVERYWHERE,
        Action::Back,
        "close / clear the filter / back",
        Some("back"),
        S::App,
    ),
    b(&[k(Key::code(KeyCode::Enter))], Scope::HELP.or(Scope::DETAIL), Action::Back, "close", None, S::App),
    b(&[k(Key::ch('?'))], Scope::EVERYWHERE, Action::ToggleHelp, "this help", Some("help"), S::App),
    b(&[k(Key::ctrl('z'))], Scope::EVERYWHERE, Action::Suspend, "suspend (fg resumes)", None, S::App),
    b(&[k(Key::ch('q')), k(Key::ctrl('c'))], Scope::EVERYWHERE, Action::Quit, "quit", Some("quit"), S::App),
];

/// What a key press means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Do this.
    Action(Action),
    /// The first key of a sequence: wait for the next.
    Pending(Key),
    /// Bound, but not here: the help text of what it does elsewhere.
    Elsewhere(&'static str),
    /// Nothing.
    None,
}

/// What `event` does in `scope`, after `pending` (the first key of a sequence, if one was
/// pressed). Only key presses count, not releases or repeats.
pub fn lookup(scope: Scope, pending: Option<Key>, event: KeyEvent) -> Lookup {
    if event.kind != KeyEventKind::Press {
        return Lookup::None;
    }
    let key = Key::of(event);
    let here = |b: &&Binding| b.scope.has(scope);
    if let Some(first) = pending {
        return BINDINGS
            .iter()
            .filter(here)
            .find(|b| b.keys.contains(&Chord(first, Some(key))))
            .map_or(Lookup::None, |b| Lookup::Action(b.action));
    }
    if let Some(b) = BINDINGS.iter().filter(here).find(|b| b.keys.contains(&Chord(key, None))) {
        return Lookup::Action(b.action);
    }
    if BINDINGS.iter().filter(here).any(|b| b.keys.iter().any(|c| c.0 == key && c.1.is_some())) {
        return Lookup::Pending(key);
    }
    BINDINGS
        .iter()
        .find(|b| b.keys.iter().any(|c| c.0 == key && c.1.is_none()))
        .map_or(Lookup::None, |b| Lookup::Elsewhere(b.help))
}

/// The keys of a binding as shown: `j ↓`.
pub fn keys_label(b: &Binding) -> String {
    b.keys.iter().map(|c| c.label()).collect::<Vec<_>>().join(" ")
}

/// The footer hints of `scope`: `(first key, word)`, in table order.
pub fn footer(scope: Scope) -> Vec<(String, &'static str)> {
    BINDINGS
        .iter()
        .filter(|b| b.scope.has(scope))
        .filter_map(|b| b.footer.map(|word| (b.keys[0].label(), word)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventState;

    fn key(code: KeyCode, modifiers: KeyModifiers, kind: KeyEventKind) -> KeyEvent {
        KeyEvent { code, modifiers, kind, state: KeyEventState::NONE }
    }
    fn press(scope: Scope, code: KeyCode) -> Lookup {
        lookup(scope, None, key(code, KeyModifiers::NONE, KeyEventKind::Press))
    }

    #[test]
    fn vim_keys_and_arrows_do_the_same() {
        assert_eq!(press(Scope::OPTIONS, KeyCode::Char('j')), press(Scope::OPTIONS, KeyCode::Down));
        assert_eq!(press(Scope::ALL, KeyCode::Char('l')), press(Scope::ALL, KeyCode::Right));
        assert_eq!(press(Scope::ALL, KeyCode::Char('h')), Lookup::Action(Action::PrevTab));
        assert_eq!(press(Scope::OPTIONS, KeyCode::Char('G')), Lookup::Action(Action::Bottom));
    }

    #[test]
    fn g_g_goes_to_the_top_and_g_e_jumps() {
        let g = Key::ch('g');
        assert_eq!(press(Scope::OPTIONS, KeyCode::Char('g')), Lookup::Pending(g));
        let second =
            |c| lookup(Scope::OPTIONS, Some(g), key(KeyCode::Char(c), KeyModifiers::NONE, KeyEventKind::Press));
        assert_eq!(second('g'), Lookup::Action(Action::Top));
        assert_eq!(second('e'), Lookup::Action(Action::Jump));
        assert_eq!(second('x'), Lookup::None);
    }

    #[test]
    fn releases_are_ignored_and_ctrl_c_quits_everywhere() {
        assert_eq!(
            lookup(Scope::ALL, None, key(KeyCode::Char('q'), KeyModifiers::NONE, KeyEventKind::Release)),
            Lookup::None
        );
        for scope in [Scope::ALL, Scope::OPTIONS, Scope::HELP, Scope::DETAIL] {
            assert_eq!(
                lookup(scope, None, key(KeyCode::Char('c'), KeyModifiers::CONTROL, KeyEventKind::Press)),
                Lookup::Action(Action::Quit)
            );
        }
    }

    #[test]
    fn screen_keys_do_nothing_on_the_all_tab_but_say_where_they_work() {
        assert_eq!(press(Scope::ALL, KeyCode::Char('d')), Lookup::Elsewhere("data +10 %"));
        assert_eq!(press(Scope::ALL, KeyCode::Char('1')), Lookup::Elsewhere("Options screen"));
        assert_eq!(press(Scope::ALL, KeyCode::Char('z')), Lookup::Elsewhere("zoom: 1 day, 7 days, all"));
        assert_eq!(press(Scope::HELP, KeyCode::Char('d')), Lookup::Elsewhere("data +10 %"));
    }

    #[test]
    fn no_key_means_two_things_in_one_place() {
        for scope in [Scope::ALL, Scope::OPTIONS, Scope::REC, Scope::METRICS, Scope::HELP, Scope::DETAIL] {
            let mut seen: Vec<Chord> = Vec::new();
            for b in BINDINGS.iter().filter(|b| b.scope.has(scope)) {
                for c in b.keys {
                    assert!(!seen.contains(c), "{} bound twice in {scope:?}", c.label());
                    seen.push(*c);
                }
            }
        }
    }

    #[test]
    fn every_footer_shows_only_its_screens_keys() {
        let all = footer(Scope::ALL);
        assert!(all.iter().any(|(_, w)| *w == "open"));
        assert!(!all.iter().any(|(_, w)| *w == "what-if" || *w == "zoom"));
        let metrics = footer(Scope::METRICS);
        assert!(metrics.iter().any(|(_, w)| *w == "zoom"));
        assert!(!metrics.iter().any(|(_, w)| *w == "sort"));
    }
}
