//! The background: threads that run azlin while the screen stays live. One lists the
//! fleet, one looks at every pane after each listing (for the ● marks), one reads the
//! selected pane, one runs the actions the keys ask for. Each takes only the latest
//! request when several are waiting, and answers through one channel the main loop reads
//! between keys, so the UI never waits for the network.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::azlin::{Action, Azlin};
use crate::fleet::{Peeked, Row};

/// Lines of the selected pane asked for (the preview shows the last that fit).
pub const PREVIEW_LINES: usize = 200;
/// Lines of every pane compared for the ● marks.
const MARK_LINES: usize = 3;

/// An answer from the background.
#[derive(Debug)]
pub enum Update {
    /// A listing: the rows and whether azlin reported failures, and when (UTC
    /// `HH:MM:SS`, unix seconds); or why it failed.
    Listed(Result<(Vec<Row>, bool), String>, (String, u64)),
    /// A look at every pane.
    Marks(Vec<Peeked>),
    /// The pane of a session.
    Peeked(String, Result<Peeked, String>),
    /// An action ended.
    Done(Action, Result<(), String>),
}

/// The running background threads.
pub struct Workers {
    list: Sender<()>,
    peek: Sender<String>,
    act: Sender<Action>,
    /// Their answers.
    pub updates: Receiver<Update>,
}

/// The latest of the requests waiting on `rx` (blocking for the first); `None` when the
/// dashboard is gone.
fn latest<T>(rx: &Receiver<T>) -> Option<T> {
    let mut last = rx.recv().ok()?;
    while let Ok(next) = rx.try_recv() {
        last = next;
    }
    Some(last)
}

/// Now, as UTC `HH:MM:SS` and unix seconds.
pub fn clock() -> (String, u64) {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let day = secs % 86_400;
    (
        format!("{:02}:{:02}:{:02}", day / 3600, day / 60 % 60, day % 60),
        secs,
    )
}

impl Workers {
    /// Starts the threads. `marks`: whether to look at every pane after each listing.
    pub fn start(azlin: &Azlin, marks: bool) -> Workers {
        let (tx, updates) = channel();
        let (list, list_rx) = channel::<()>();
        let (peek, peek_rx) = channel::<String>();
        let (act, act_rx) = channel::<Action>();
        let (mark, mark_rx) = channel::<()>();

        let (a, out) = (azlin.clone(), tx.clone());
        std::thread::spawn(move || {
            while latest(&list_rx).is_some() {
                let result = a.list();
                if out.send(Update::Listed(result, clock())).is_err() {
                    break;
                }
                if marks {
                    let _ = mark.send(());
                }
            }
        });
        let (a, out) = (azlin.clone(), tx.clone());
        std::thread::spawn(move || {
            while latest(&mark_rx).is_some() {
                // A failed look leaves the marks as they were.
                if let Ok(panes) = a.peek_all(MARK_LINES)
                    && out.send(Update::Marks(panes)).is_err()
                {
                    break;
                }
            }
        });
        let (a, out) = (azlin.clone(), tx.clone());
        std::thread::spawn(move || {
            while let Some(target) = latest(&peek_rx) {
                let result = a.peek(&target, PREVIEW_LINES);
                if out.send(Update::Peeked(target, result)).is_err() {
                    break;
                }
            }
        });
        let (a, out) = (azlin.clone(), tx);
        std::thread::spawn(move || {
            // Every action runs, in order (none is dropped for a later one).
            while let Ok(action) = act_rx.recv() {
                let result = a.act(&action);
                if out.send(Update::Done(action, result)).is_err() {
                    break;
                }
            }
        });
        Workers {
            list,
            peek,
            act,
            updates,
        }
    }

    /// Asks for a listing.
    pub fn refresh(&self) {
        let _ = self.list.send(());
    }

    /// Asks for the pane of `target`.
    pub fn peek(&self, target: String) {
        let _ = self.peek.send(target);
    }

    /// Runs `action`.
    pub fn run(&self, action: Action) {
        let _ = self.act.send(action);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_takes_the_last_waiting_request() {
        let (tx, rx) = channel();
        for i in 0..5 {
            tx.send(i).unwrap();
        }
        assert_eq!(latest(&rx), Some(4));
        drop(tx);
        assert_eq!(latest(&rx), None);
    }

    #[test]
    fn the_clock_reads_utc() {
        let (text, secs) = clock();
        assert_eq!(text.len(), 8);
        assert!(secs > 1_600_000_000);
    }
}
