//! The terminal guard: raw mode, the alternate screen and mouse capture while it lives, restored
//! on every exit path — normal return, `?` early return (Drop), panic (a hook chained before
//! ratatui's) and signals (the loop turns SIGTERM/SIGHUP into a normal return). Ctrl-Z gives
//! the terminal back to the shell and takes it again on `fg`.

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{Clear, ClearType, EnterAlternateScreen, enable_raw_mode};
use crossterm::{cursor, execute};
use ratatui::DefaultTerminal;
use std::io;
use std::ops::{Deref, DerefMut};

/// Owns the terminal; dropping it restores the terminal.
pub struct Guard {
    terminal: DefaultTerminal,
}

/// Undo everything the guard set up (safe to call twice, and from a panic hook).
fn restore() {
    let _ = execute!(io::stdout(), DisableMouseCapture);
    ratatui::restore();
    let _ = execute!(io::stdout(), cursor::Show);
}

impl Guard {
    /// Enter raw mode, the alternate screen and mouse capture (and install the restore-on-panic
    /// hooks: ours undoes mouse capture and shows the cursor, then ratatui's restores the rest).
    pub fn enter() -> io::Result<Guard> {
        match ratatui::try_init() {
            Ok(terminal) => {
                let previous = std::panic::take_hook();
                std::panic::set_hook(Box::new(move |info| {
                    restore();
                    previous(info);
                }));
                execute!(io::stdout(), EnableMouseCapture)?;
                Ok(Guard { terminal })
            }
            Err(e) => {
                // raw mode may be on even though entering the alternate screen failed
                restore();
                Err(e)
            }
        }
    }

    /// Give the terminal back, stop the process (SIGTSTP, as Ctrl-Z does in a shell), and when
    /// it continues (`fg`) take the terminal again and draw it whole.
    pub fn suspend(&mut self) -> io::Result<()> {
        restore();
        signal_hook::low_level::raise(signal_hook::consts::SIGTSTP)?;
        enable_raw_mode()?;
        execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture, cursor::Hide, Clear(ClearType::All))?;
        // a new terminal draws every cell on the next frame (`Terminal::clear` would ask the
        // terminal where its cursor is, and the input task reads the answer first)
        self.terminal = ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(io::stdout()))?;
        Ok(())
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
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
