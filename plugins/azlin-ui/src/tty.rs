//! The terminal: taken (raw mode, alternate screen, mouse) and always given back, on
//! quit, before `azlin connect` runs, on a panic, and on SIGTERM, SIGHUP or SIGINT.

use std::io::{Write, stdout};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ratatui::crossterm::cursor::{Hide, Show};
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

/// Takes the terminal for the dashboard.
pub fn enter() -> std::io::Result<()> {
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen, EnableMouseCapture, Hide)
}

/// Gives the terminal back as it was (safe to call more than once).
pub fn leave() {
    let mut out = stdout();
    let _ = execute!(out, DisableMouseCapture, LeaveAlternateScreen, Show);
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// A panic gives the terminal back before its message is printed (else the message is
/// lost on the alternate screen and the shell is left in raw mode).
pub fn restore_on_panic() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave();
        previous(info);
    }));
}

/// The exit status a signal asks for (128 + its number), 0 while none came. The main
/// loop looks at it between keys and leaves the way `q` does.
pub fn signals() -> std::io::Result<Arc<AtomicUsize>> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let flag = Arc::new(AtomicUsize::new(0));
    for (signal, status) in [(SIGTERM, 143), (SIGHUP, 129), (SIGINT, 130)] {
        signal_hook::flag::register_usize(signal, flag.clone(), status)?;
    }
    Ok(flag)
}

/// Forgets a SIGINT that came while `azlin connect` had the terminal (a Ctrl-C meant
/// for the session, which reached this process group too).
pub fn forget_interrupt(flag: &AtomicUsize) {
    let _ = flag.compare_exchange(130, 0, Ordering::SeqCst, Ordering::SeqCst);
}

/// Ends the process when its terminal goes away (the window closed, `tmux kill-server`,
/// an ssh that dropped): reads of a hung-up terminal fail at once, forever, so the event
/// loop would spin without ever seeing the SIGHUP that came with it. A watch thread asks
/// every 200 ms whether stdout is still a terminal (a hung-up one answers no).
pub fn exit_when_the_terminal_is_gone() {
    use std::io::IsTerminal;
    std::thread::spawn(|| {
        loop {
            std::thread::sleep(std::time::Duration::from_millis(200));
            if !std::io::stdout().is_terminal() {
                // Nothing to give back: the terminal is gone. 129: as SIGHUP would.
                std::process::exit(129);
            }
        }
    });
}
