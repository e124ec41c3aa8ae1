//! When to ask azlin again: one request in flight at a time, the next one an interval
//! after the last answer, and "now" (a key, a selection, an action) without piling up.

use std::time::{Duration, Instant};

/// The schedule of one kind of background request (the listing, or the preview).
#[derive(Debug, Clone)]
pub struct Schedule {
    interval: Duration,
    /// When the next request is due; `None`: at once.
    next: Option<Instant>,
    in_flight: bool,
    /// Asked for "now" while one was in flight: due as soon as it answers.
    again: bool,
}

impl Schedule {
    /// A schedule whose first request is due at once.
    pub fn new(interval: Duration) -> Schedule {
        Schedule {
            interval,
            next: None,
            in_flight: false,
            again: false,
        }
    }

    /// Whether a request should be sent at `now`.
    pub fn due(&self, now: Instant) -> bool {
        !self.in_flight && self.next.is_none_or(|n| now >= n)
    }

    /// A request was sent.
    pub fn started(&mut self) {
        self.in_flight = true;
        self.again = false;
    }

    /// Its answer came at `now`.
    pub fn finished(&mut self, now: Instant) {
        self.in_flight = false;
        self.next = if self.again {
            None
        } else {
            Some(now + self.interval)
        };
        self.again = false;
    }

    /// The next request is due at once (or as soon as the one in flight answers).
    pub fn now(&mut self) {
        if self.in_flight {
            self.again = true;
        } else {
            self.next = None;
        }
    }

    /// Whether a request is in flight.
    pub fn in_flight(&self) -> bool {
        self.in_flight
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_in_flight_then_an_interval_after_the_answer() {
        let t0 = Instant::now();
        let mut s = Schedule::new(Duration::from_secs(5));
        assert!(s.due(t0), "the first is due at once");
        s.started();
        assert!(!s.due(t0 + Duration::from_secs(60)), "never two in flight");
        assert!(s.in_flight());
        s.finished(t0 + Duration::from_secs(1));
        assert!(!s.due(t0 + Duration::from_secs(5)));
        assert!(s.due(t0 + Duration::from_secs(6)));
    }

    #[test]
    fn now_while_in_flight_is_due_right_after_the_answer() {
        let t0 = Instant::now();
        let mut s = Schedule::new(Duration::from_secs(5));
        s.started();
        s.now();
        s.now();
        assert!(!s.due(t0));
        s.finished(t0);
        assert!(s.due(t0));
        s.started();
        s.finished(t0);
        assert!(!s.due(t0), "the extra `now` was used up");
        s.now();
        assert!(s.due(t0));
    }
}
