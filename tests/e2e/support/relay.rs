//! A TCP relay on loopback that a test can break the way networks break: [`Relay::cut`]
//! closes every connection and refuses new ones (a dropped link, a VM rebooting),
//! [`Relay::freeze`] stops forwarding without closing anything (a Wi-Fi that went away,
//! a laptop asleep), [`Relay::restore`] brings it back on the same port.

#![allow(dead_code)]

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

const FORWARD: u8 = 0;
const CUT: u8 = 1;
const FROZEN: u8 = 2;

/// A relay from a port of 127.0.0.1 to `target`. Dropping it ends its threads.
pub struct Relay {
    port: u16,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    mode: AtomicU8,
    /// The port connections are relayed to.
    target: std::sync::atomic::AtomicU16,
    stop: AtomicBool,
    /// Every connection's two sockets, to close them on a cut.
    open: Mutex<Vec<TcpStream>>,
}

impl Relay {
    /// Starts a relay to port `target` of 127.0.0.1.
    pub fn start(target: u16) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind relay");
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            mode: AtomicU8::new(FORWARD),
            target: std::sync::atomic::AtomicU16::new(target),
            stop: AtomicBool::new(false),
            open: Mutex::new(Vec::new()),
        });
        let s = shared.clone();
        let thread = std::thread::spawn(move || accept_loop(Some(listener), port, &s));
        Relay {
            port,
            shared,
            thread: Some(thread),
        }
    }

    /// The port to connect to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Closes every connection and refuses new ones until [`Relay::restore`].
    pub fn cut(&self) {
        self.shared.mode.store(CUT, Ordering::SeqCst);
        for s in self.shared.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    /// Stops forwarding bytes without closing anything, until [`Relay::restore`].
    pub fn freeze(&self) {
        self.shared.mode.store(FROZEN, Ordering::SeqCst);
    }

    /// Relays new connections to port `target` from now on (another host behind the
    /// same address: a changed host key).
    pub fn retarget(&self, target: u16) {
        self.shared.target.store(target, Ordering::SeqCst);
    }

    /// Forwards again (after a cut, new connections are accepted again on the same port).
    pub fn restore(&self) {
        self.shared.mode.store(FORWARD, Ordering::SeqCst);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.cut();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Accepts while forwarding or frozen; while cut, the listening socket is closed (so
/// connections are refused) and bound again on the same port when restored.
fn accept_loop(mut listener: Option<TcpListener>, port: u16, s: &Arc<Shared>) {
    while !s.stop.load(Ordering::SeqCst) {
        let mode = s.mode.load(Ordering::SeqCst);
        if mode == CUT {
            listener = None;
            std::thread::sleep(Duration::from_millis(10));
            continue;
        }
        let l = match &listener {
            Some(l) => l,
            None => match TcpListener::bind(("127.0.0.1", port)) {
                Ok(l) => listener.insert(l),
                Err(_) => {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            },
        };
        let _ = l.set_nonblocking(true);
        match l.accept() {
            Ok((client, _)) => {
                let _ = client.set_nonblocking(false);
                let target = s.target.load(Ordering::SeqCst);
                if let Ok(server) = TcpStream::connect(("127.0.0.1", target)) {
                    if let (Ok(a), Ok(b)) = (client.try_clone(), server.try_clone()) {
                        s.open.lock().unwrap().extend([a, b]);
                    }
                    pump(&client, &server, s);
                    pump(&server, &client, s);
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// Copies `from` to `to` on a thread of its own, holding bytes while frozen.
fn pump(from: &TcpStream, to: &TcpStream, s: &Arc<Shared>) {
    let (Ok(mut from), Ok(mut to)) = (from.try_clone(), to.try_clone()) else {
        return;
    };
    let s = s.clone();
    let _ = from.set_read_timeout(Some(Duration::from_millis(20)));
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            if s.stop.load(Ordering::SeqCst) {
                break;
            }
            if s.mode.load(Ordering::SeqCst) == FROZEN {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
            match from.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(_) => break,
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}
