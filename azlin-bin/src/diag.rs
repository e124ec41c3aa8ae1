//! Everything azlin draws on stderr besides errors and command warnings: `-v` diagnostics (the
//! `tracing` events of [`azlin_core::diag`], written as plain lines), the warnings the
//! library sends the same way ([`azlin_core::diag::WARNING`]), and progress indicators
//! (indicatif) for fan-outs and Azure listings. Every line goes through
//! [`crate::output::message`] (secrets redacted, outside text escaped).
//!
//! Rules (README, Diagnostics): progress only when stderr is a terminal and not `-q`, and
//! never for commands whose stdout is for programs (`--format json|csv`); a log line or an
//! output line printed while a bar is drawn goes above it, never through it. Nothing is
//! set up for `--version`, help or plugin dispatch: [`init`] runs when a command loads its
//! context, and installs a subscriber only when something will listen.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tracing::level_filters::LevelFilter;
use tracing::subscriber::Interest;
use tracing::{Level, span};

/// Whether progress may be drawn (stderr a terminal, no `-q`, no machine output).
static ALLOWED: AtomicBool = AtomicBool::new(false);
/// The indicator on screen, so that lines are printed above it.
static ACTIVE: Mutex<Option<Active>> = Mutex::new(None);

struct Active {
    bar: ProgressBar,
    /// Requests counted by the Azure indicator; `None` for a command's own indicator.
    requests: Option<u64>,
}

/// Sets up diagnostics for a command: `verbose` is the `-v` count; warnings are printed
/// unless `quiet`, their prefix coloured unless `no_color`.
pub fn init(verbose: u8, quiet: bool, no_color: bool) {
    let allowed = !quiet && std::io::stderr().is_terminal();
    ALLOWED.store(allowed, Ordering::Relaxed);
    if verbose == 0 && quiet {
        // Nothing would listen: without a subscriber every event is a no-op.
        return;
    }
    let log = match verbose {
        0 => None,
        1 => Some(Level::INFO),
        2 => Some(Level::DEBUG),
        _ => Some(Level::TRACE),
    };
    // Fails only if one is installed already (a second init): keep that one.
    let _ = tracing::subscriber::set_global_default(Diagnostics {
        log,
        warnings: (!quiet).then_some(no_color),
    });
}

/// Keeps progress off for this command (its stdout is JSON or CSV for a program).
pub fn no_progress() {
    ALLOWED.store(false, Ordering::Relaxed);
}

/// Runs `print` with the indicator (if any) lifted off the screen, so that what it prints
/// stays above the indicator instead of being drawn over.
pub fn above_progress<R>(print: impl FnOnce() -> R) -> R {
    let bar = lock().as_ref().map(|a| a.bar.clone());
    match bar {
        Some(bar) => bar.suspend(print),
        None => print(),
    }
}

/// Removes whatever indicator is on screen (before azlin exits or hands over the
/// terminal).
pub fn clear() {
    if let Some(active) = lock().take() {
        active.bar.finish_and_clear();
    }
}

/// Stops the Azure request counter, if one is drawn; a command's own indicator stays.
pub fn end_requests() {
    let mut active = lock();
    if active.as_ref().is_some_and(|a| a.requests.is_some())
        && let Some(a) = active.take()
    {
        a.bar.finish_and_clear();
    }
}

fn lock() -> std::sync::MutexGuard<'static, Option<Active>> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// A progress indicator for one fan-out: `done/total` and failures; drawing nothing when
/// progress is off.
pub struct Progress {
    bar: Option<ProgressBar>,
    failed: std::sync::atomic::AtomicU64,
}

impl Progress {
    /// An indicator for `total` jobs described by `what` (e.g. `probing 3 VMs`).
    pub fn start(what: String, total: usize) -> Progress {
        let bar = (ALLOWED.load(Ordering::Relaxed) && total > 0).then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template("{spinner} {prefix} {pos}/{len} done{msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            bar.set_style(style);
            bar.set_prefix(what);
            bar.enable_steady_tick(Duration::from_millis(100));
            // An Azure counter before this one is finished: one indicator at a time.
            let old = lock().replace(Active {
                bar: bar.clone(),
                requests: None,
            });
            if let Some(old) = old {
                old.bar.finish_and_clear();
            }
            bar
        });
        Progress {
            bar,
            failed: Default::default(),
        }
    }

    /// Counts one job as done (`ok` false: failed).
    pub fn done(&self, ok: bool) {
        let Some(bar) = &self.bar else { return };
        if !ok {
            let failed = self.failed.fetch_add(1, Ordering::Relaxed) + 1;
            bar.set_message(format!(", {failed} failed"));
        }
        bar.inc(1);
    }

    /// Takes the indicator off the screen.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
            // One command indicator at a time: the active one, if any, is this one.
            let mut active = lock();
            if active.as_ref().is_some_and(|a| a.requests.is_none()) {
                *active = None;
            }
        }
    }
}

/// The subscriber: azlin's own events only (libraries' debug output may carry headers),
/// written as plain lines above any indicator, and the Azure request counter.
///
/// Written by hand rather than with tracing-subscriber: azlin needs no spans, layers,
/// timestamps or formats, only "this target, up to this level, as one line", and this
/// keeps four crates (and 84 KB) out of a binary whose start-up is measured.
struct Diagnostics {
    /// The most detailed level logged; `None` without `-v`.
    log: Option<Level>,
    /// Whether library warnings are printed (`None` with `-q`), and with `--no-color`.
    warnings: Option<bool>,
}

impl Diagnostics {
    fn logs(&self, meta: &tracing::Metadata<'_>) -> bool {
        meta.target() != azlin_core::diag::WARNING
            && self.log.is_some_and(|max| *meta.level() <= max)
    }

    fn warns(&self, meta: &tracing::Metadata<'_>) -> bool {
        self.warnings.is_some() && meta.target() == azlin_core::diag::WARNING
    }
}

impl tracing::Subscriber for Diagnostics {
    fn enabled(&self, meta: &tracing::Metadata<'_>) -> bool {
        meta.target().starts_with("azlin")
            && (self.logs(meta)
                || self.warns(meta)
                || meta.target() == azlin_core::diag::HTTP_START)
    }

    fn register_callsite(&self, meta: &'static tracing::Metadata<'static>) -> Interest {
        if self.enabled(meta) {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        // The request counter listens to TRACE events whatever the verbosity.
        Some(LevelFilter::TRACE)
    }

    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        // azlin emits no spans; any id will do.
        span::Id::from_u64(1)
    }

    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}

    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        if event.metadata().target() == azlin_core::diag::HTTP_START {
            count_request();
        }
        let mut line = Message(String::new());
        if let Some(no_color) = self.warnings.filter(|_| self.warns(event.metadata())) {
            event.record(&mut line);
            crate::context::warn_line(no_color, &line.0);
        } else if self.logs(event.metadata()) {
            event.record(&mut line);
            let mut text = crate::output::message(&line.0);
            text.push('\n');
            let _ = above_progress(|| std::io::stderr().lock().write_all(text.as_bytes()));
        }
    }

    fn enter(&self, _: &span::Id) {}

    fn exit(&self, _: &span::Id) {}
}

/// The `message` of an event (azlin's events carry all they say in it).
struct Message(String);

impl tracing::field::Visit for Message {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            use std::fmt::Write as _;
            let _ = write!(self.0, "{value:?}");
        }
    }
}

/// Counts the HTTP requests of an Azure listing in a spinner, from the first request on
/// (a fresh cache sends none, and shows nothing).
fn count_request() {
    if !ALLOWED.load(Ordering::Relaxed) {
        return;
    }
    let mut active = lock();
    match active.as_mut() {
        Some(Active {
            bar,
            requests: Some(n),
        }) => {
            *n += 1;
            bar.set_message(format!("Azure: {n} requests sent…"));
        }
        // A command's own indicator is on screen: leave it.
        Some(_) => {}
        None => {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(ProgressStyle::default_spinner());
            bar.set_message("Azure: 1 request sent…");
            bar.enable_steady_tick(Duration::from_millis(100));
            *active = Some(Active {
                bar,
                requests: Some(1),
            });
        }
    }
}
