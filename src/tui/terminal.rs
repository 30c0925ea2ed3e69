//! The terminal guard: raw mode and the alternate screen while it lives, restored on every exit
//! path — normal return, `?` early return (Drop) and panic (ratatui's hook).

use ratatui::DefaultTerminal;
use std::io;
use std::ops::{Deref, DerefMut};

/// Owns the terminal; dropping it restores the terminal.
pub struct Guard {
    terminal: DefaultTerminal,
}

impl Guard {
    /// Enter raw mode and the alternate screen (and install the restore-on-panic hook).
    pub fn enter() -> io::Result<Guard> {
        match ratatui::try_init() {
            Ok(terminal) => Ok(Guard { terminal }),
            Err(e) => {
                // raw mode may be on even though entering the alternate screen failed
                ratatui::restore();
                Err(e)
            }
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

impl Deref for Guard {
    type Target = DefaultTerminal;
    fn deref(&self) -> &DefaultTerminal {
        &self.terminal
    }
}

impl DerefMut for Guard {
    fn deref_mut(&mut self) -> &mut DefaultTerminal {
        &mut self.terminal
    }
}
