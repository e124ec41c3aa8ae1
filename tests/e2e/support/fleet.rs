//! A fake fleet: real `sshd` processes on loopback, one per fake VM, registered with
//! `azlin host add` in a throwaway [`Home`].
//!
//! Each fake VM is an sshd on its own free port of 127.0.0.1 with throwaway host keys and
//! the fleet's throwaway user key. Its sshd sets `TMUX_TMPDIR` to a directory of its own
//! (`SetEnv`, which reaches the remote command), so each fake VM has its own tmux server,
//! as separate machines would, and `HOME` to an empty directory of its own, so no shell
//! start-up file of this machine runs on every remote command. Everything started here
//! ends in `Drop`, also on panic: tmux servers (`kill-server` on their socket), every
//! process an sshd forked (found in `/proc`), then the sshd itself.
//!
//! ```ignore
//! let home = Home::new();
//! let fleet = Fleet::start(&home, &["vm1", "vm2"]);
//! home.ok(&["ssh", "vm1", "--tmux-session", "dev"]);
//! assert!(fleet.vm("vm1").sessions().contains(&"dev".to_string()));
//! ```
//!
//! Fault hosts for timeout tests: [`Fleet::add_closed_port`] (nothing listens) and
//! [`Fleet::add_black_hole`] (accepts TCP, never says a word).

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Home;

/// How long to wait for an sshd to accept connections (the machine may be loaded).
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running fake fleet. Dropping it ends every process it started.
pub struct Fleet {
    dir: tempfile::TempDir,
    user: String,
    key: PathBuf,
    vms: Vec<FakeVm>,
    /// Black holes and latency relays: listener threads that end with the fleet.
    holes: Vec<BlackHole>,
    /// A directory put first on the `PATH` of the VMs' remote commands (e.g. a hostile
    /// `tmux`), if any.
    path_first: Option<PathBuf>,
}

/// One fake VM: an sshd and the tmux server its sessions start.
pub struct FakeVm {
    /// The name it is registered under.
    pub name: String,
    /// Its sshd port on 127.0.0.1.
    pub port: u16,
    /// Its `TMUX_TMPDIR`: its tmux server's socket lives below.
    pub tmux_tmpdir: PathBuf,
    /// Its user's `HOME` (empty at start): where its shells look for `~/.bash_profile`
    /// and its tmux server for `~/.tmux.conf`.
    pub home: PathBuf,
    sshd: Child,
}

struct BlackHole {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// The absolute path of sshd, or a panic saying how to install it.
fn sshd_path() -> PathBuf {
    let candidates = [PathBuf::from("/usr/sbin/sshd")];
    if let Some(p) = candidates.iter().find(|p| p.exists()) {
        return p.clone();
    }
    let which = Command::new("sh")
        .args(["-c", "command -v sshd"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    match which {
        Some(p) if p.is_absolute() => p,
        _ => panic!(
            "sshd is needed by the end-to-end tests and was not found: \
             install it: apt-get install openssh-server"
        ),
    }
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free port")
        .port()
}

fn run_checked(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn keygen(path: &Path) {
    run_checked(
        Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "azlin-e2e", "-f"])
            .arg(path),
    );
}

impl Fleet {
    /// Starts one fake VM per name and registers each in `home`.
    pub fn start(home: &Home, names: &[&str]) -> Fleet {
        Fleet::start_with_latency(home, names, Duration::ZERO)
    }

    /// Like [`Fleet::start`], but each VM is registered behind a relay that holds every
    /// chunk of bytes for half of `rtt` in each direction: `rtt` of added round-trip time,
    /// as a VM across a network would have (used by the benchmarks; zero: no relay).
    pub fn start_with_latency(home: &Home, names: &[&str], rtt: Duration) -> Fleet {
        Fleet::start_with(home, names, rtt, None)
    }

    /// Like [`Fleet::start`], with `bin` first on the `PATH` of every remote command, so
    /// that its programs (a `tmux` that prints what it likes) stand in for the VM's own.
    pub fn start_with_path_first(home: &Home, names: &[&str], bin: &Path) -> Fleet {
        Fleet::start_with(home, names, Duration::ZERO, Some(bin.to_path_buf()))
    }

    fn start_with(
        home: &Home,
        names: &[&str],
        rtt: Duration,
        path_first: Option<PathBuf>,
    ) -> Fleet {
        let sshd = sshd_path();
        // sshd running as root wants its privilege-separation directory.
        if !Path::new("/run/sshd").exists() {
            let _ = std::fs::create_dir_all("/run/sshd");
        }
        // Short paths: tmux and ssh sockets live below, and sockets have a length limit.
        let dir = tempfile::Builder::new()
            .prefix("azf")
            .tempdir_in("/tmp")
            .expect("create fleet dir");
        let key = dir.path().join("id_user");
        keygen(&key);
        std::fs::copy(
            key.with_extension("pub"),
            dir.path().join("authorized_keys"),
        )
        .expect("write authorized_keys");
        let user = String::from_utf8(run_checked(Command::new("id").arg("-un")).stdout)
            .expect("utf-8 user name")
            .trim()
            .to_string();
        let mut fleet = Fleet {
            dir,
            user,
            key,
            vms: Vec::new(),
            holes: Vec::new(),
            path_first,
        };
        for name in names {
            let vm = fleet.spawn_vm(&sshd, name, "");
            let port = if rtt.is_zero() {
                vm.port
            } else {
                fleet.add_relay(vm.port, rtt / 2)
            };
            fleet.register(home, name, port);
            fleet.vms.push(vm);
        }
        fleet
    }

    fn spawn_vm(&self, sshd: &Path, name: &str, extra_config: &str) -> FakeVm {
        let vm_dir = self.dir.path().join(name);
        let tmux_tmpdir = vm_dir.join("t");
        std::fs::create_dir_all(&tmux_tmpdir).expect("create vm dir");
        // Its own (empty) home: the remote shell must not source this machine's
        // ~/.bashrc, which bash reads for every ssh command and which may be slow (a
        // `pyenv init` there costs 0.1 s of CPU per command, 32 VMs' worth serialised on
        // these 2 cores); a real VM runs its own user's shell start-up on its own CPUs.
        let vm_home = vm_dir.join("home");
        std::fs::create_dir_all(&vm_home).expect("create vm home");
        let host_key = vm_dir.join("host_key");
        keygen(&host_key);
        // A port taken between free_port and sshd's bind is retried.
        for _attempt in 0..5 {
            let port = free_port();
            let config = vm_dir.join("sshd_config");
            let text = format!(
                "ListenAddress 127.0.0.1:{port}\n\
                 HostKey {host_key}\n\
                 PidFile none\n\
                 StrictModes no\n\
                 UsePAM no\n\
                 PermitRootLogin prohibit-password\n\
                 PubkeyAuthentication yes\n\
                 PasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\n\
                 AuthorizedKeysFile {keys}\n\
                 SetEnv TMUX_TMPDIR={tmux} HOME={home}{path}\n\
                 MaxStartups 100\n\
                 MaxSessions 100\n\
                 Subsystem sftp internal-sftp\n\
                 LogLevel ERROR\n\
                 {extra_config}",
                host_key = host_key.display(),
                keys = self.dir.path().join("authorized_keys").display(),
                tmux = tmux_tmpdir.display(),
                home = vm_home.display(),
                path = self
                    .path_first
                    .as_ref()
                    .map(|b| format!(" PATH={}:/usr/local/bin:/usr/bin:/bin", b.display()))
                    .unwrap_or_default(),
            );
            std::fs::write(&config, text).expect("write sshd_config");
            let log = std::fs::File::create(vm_dir.join("sshd.log")).expect("sshd log");
            let mut child = Command::new(sshd)
                .arg("-D")
                .arg("-e")
                .arg("-f")
                .arg(&config)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("start {}: {e}", sshd.display()));
            let deadline = Instant::now() + START_TIMEOUT;
            loop {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return FakeVm {
                        name: name.to_string(),
                        port,
                        tmux_tmpdir,
                        home: vm_home.clone(),
                        sshd: child,
                    };
                }
                if let Ok(Some(_)) = child.try_wait() {
                    break; // port taken, or a config error: see below
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("sshd for {name} did not accept on port {port} in time");
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let log = std::fs::read_to_string(vm_dir.join("sshd.log")).unwrap_or_default();
        panic!("sshd for {name} would not start:\n{log}");
    }

    fn register(&self, home: &Home, name: &str, port: u16) {
        home.ok(&[
            "host",
            "add",
            name,
            "--address",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--user",
            &self.user,
            "--identity-file",
            &self.key.to_string_lossy(),
        ]);
    }

    /// Registers `name` at a port where nothing listens: connections are refused.
    pub fn add_closed_port(&mut self, home: &Home, name: &str) {
        let port = free_port();
        self.register(home, name, port);
    }

    /// Registers `name` at a listener that accepts connections and never answers, the
    /// way a host behind a broken firewall or a hung sshd looks to ssh.
    pub fn add_black_hole(&mut self, home: &Home, name: &str) {
        let mut held = Vec::new();
        let port = self.spawn_listener(move |stream| held.push(stream));
        self.register(home, name, port);
    }

    /// Starts a fake VM `name` whose sshd runs `command` (sshd's `ForceCommand`, through
    /// the login shell) instead of whatever it is asked to: a VM that misbehaves after
    /// the connection is up. Registered like the others.
    pub fn add_forced(&mut self, home: &Home, name: &str, command: &str) {
        let vm = self.spawn_vm(&sshd_path(), name, &format!("ForceCommand {command}\n"));
        self.register(home, name, vm.port);
        self.vms.push(vm);
    }

    /// Registers `name` at a listener that sends an SSH banner and then nothing, the way
    /// a hung sshd (or one whose key exchange never ends) looks to ssh.
    pub fn add_banner_then_silence(&mut self, home: &Home, name: &str) {
        let mut held = Vec::new();
        let port = self.spawn_listener(move |mut stream| {
            use std::io::Write;
            let _ = stream.write_all(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
            held.push(stream);
        });
        self.register(home, name, port);
    }

    /// Starts a relay to `target` (a port of 127.0.0.1) that delays each direction by
    /// `delay`; returns the relay's port. Each connection's threads end when either side
    /// closes.
    fn add_relay(&mut self, target: u16, delay: Duration) -> u16 {
        self.spawn_listener(move |client| {
            let _ = client.set_nonblocking(false);
            if let Ok(server) = TcpStream::connect(("127.0.0.1", target)) {
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                delayed_pump(&client, &server, delay);
                delayed_pump(&server, &client, delay);
            }
        })
    }

    /// A listener on a free port of 127.0.0.1 whose accept loop hands each connection to
    /// `on_accept` until the fleet is dropped; returns the port.
    fn spawn_listener(&mut self, on_accept: impl FnMut(TcpStream) + Send + 'static) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind listener");
        self.serve(listener, on_accept)
    }

    /// Makes fake VM `name` reachable on port 22 of some loopback address too, through a
    /// relay, as an Azure VM is (Azure records carry an address, never a port); returns
    /// that address. Binding port 22 needs root, which CI has.
    pub fn expose_on_port_22(&mut self, name: &str) -> String {
        let target = self.vm(name).port;
        let (listener, ip) = (200..=250)
            .find_map(|last| {
                let ip = format!("127.0.0.{last}");
                TcpListener::bind((ip.as_str(), 22)).ok().map(|l| (l, ip))
            })
            .expect("bind port 22 on a 127.0.0.x address (needs root and a free port 22)");
        self.serve(listener, move |client| {
            let _ = client.set_nonblocking(false);
            if let Ok(server) = TcpStream::connect(("127.0.0.1", target)) {
                delayed_pump(&client, &server, Duration::ZERO);
                delayed_pump(&server, &client, Duration::ZERO);
            }
        });
        ip
    }

    /// Runs `listener`'s accept loop, handing each connection to `on_accept`, until the
    /// fleet is dropped; returns its port.
    fn serve(
        &mut self,
        listener: TcpListener,
        mut on_accept: impl FnMut(TcpStream) + Send + 'static,
    ) -> u16 {
        let port = listener.local_addr().expect("local addr").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => on_accept(stream),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        self.holes.push(BlackHole {
            stop,
            thread: Some(thread),
        });
        port
    }

    /// The fake VM called `name`.
    pub fn vm(&self, name: &str) -> &FakeVm {
        self.vms
            .iter()
            .find(|v| v.name == name)
            .unwrap_or_else(|| panic!("no fake VM {name}"))
    }

    /// The pids of every sshd of the fleet and every process they forked.
    pub fn pids(&self) -> Vec<u32> {
        let mut out = Vec::new();
        for vm in &self.vms {
            out.push(vm.sshd.id());
            out.extend(descendants(vm.sshd.id()));
        }
        out
    }

    /// The login name the fake VMs accept.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The private key the fake VMs accept.
    pub fn key(&self) -> &Path {
        &self.key
    }
}

impl FakeVm {
    /// `tmux ARGS` against this VM's tmux server, run directly (not through azlin).
    pub fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(args)
            .env("TMUX_TMPDIR", &self.tmux_tmpdir)
            .env_remove("TMUX")
            .stdin(Stdio::null())
            .output()
            .expect("run tmux")
    }

    /// The sessions on this VM, by name (empty when no tmux server runs).
    pub fn sessions(&self) -> Vec<String> {
        let out = self.tmux(&["list-sessions", "-F", "#{session_name}"]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Creates a detached session directly, starting in `dir` when given.
    pub fn new_session(&self, name: &str, dir: Option<&Path>) {
        let mut args = vec!["new-session", "-d", "-s", name];
        let d;
        if let Some(p) = dir {
            d = p.to_string_lossy().into_owned();
            args.extend(["-c", &d]);
        }
        let out = self.tmux(&args);
        assert!(
            out.status.success(),
            "tmux new-session {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// How many clients are attached to `session` (0 when it does not exist).
    pub fn attached(&self, session: &str) -> u32 {
        self.number(session, "#{session_attached}").unwrap_or(0)
    }

    /// When `session` last saw activity, Unix seconds, as its tmux says.
    pub fn activity(&self, session: &str) -> u64 {
        self.number(session, "#{session_activity}")
            .unwrap_or_else(|| panic!("no activity time for session {session}"))
    }

    /// A number tmux prints in `format` for `session`, if it prints one.
    fn number<T: std::str::FromStr>(&self, session: &str, format: &str) -> Option<T> {
        let out = self.tmux(&[
            "display-message",
            "-p",
            "-t",
            &format!("={session}:"),
            format,
        ]);
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    }

    fn kill_tmux(&self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

/// An ssh client that records the arguments of every run, one file per run, then runs
/// ssh: for tests that count connections (`AZLIN_SSH` names it).
pub struct SshLog {
    dir: tempfile::TempDir,
}

impl SshLog {
    /// A new, empty log and its wrapper.
    pub fn new() -> SshLog {
        let dir = tempfile::tempdir().expect("create ssh log dir");
        let wrapper = dir.path().join("ssh-wrapper");
        let script = format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"{}/run.$$\"\nexec ssh \"$@\"\n",
            dir.path().display()
        );
        super::plugin::write_executable(&wrapper, &script);
        SshLog { dir }
    }

    /// The wrapper, for `AZLIN_SSH`.
    pub fn client(&self) -> PathBuf {
        self.dir.path().join("ssh-wrapper")
    }

    /// The arguments of every run so far, and forgets them.
    pub fn take(&self) -> Vec<Vec<String>> {
        let mut runs = Vec::new();
        for entry in std::fs::read_dir(self.dir.path())
            .expect("read ssh log")
            .flatten()
        {
            if entry.file_name().to_string_lossy().starts_with("run.") {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                runs.push(text.lines().map(str::to_string).collect());
                let _ = std::fs::remove_file(entry.path());
            }
        }
        runs
    }
}

/// Copies `from` to `to`, each chunk written `delay` after it was read: one thread reads
/// and stamps, another sleeps until each chunk is due, so chunks in flight overlap as on a
/// real link. End of input is passed on as a write shutdown.
fn delayed_pump(from: &TcpStream, to: &TcpStream, delay: Duration) {
    let (Ok(mut from), Ok(mut to)) = (from.try_clone(), to.try_clone()) else {
        return;
    };
    let (tx, rx) = std::sync::mpsc::channel::<(Instant, Vec<u8>)>();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx
                        .send((Instant::now() + delay, buf[..n].to_vec()))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
    });
    std::thread::spawn(move || {
        use std::io::Write;
        for (due, bytes) in rx {
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
            if to.write_all(&bytes).is_err() {
                break;
            }
        }
        let _ = to.shutdown(std::net::Shutdown::Write);
    });
}

/// One process as `/proc/PID/stat` describes it.
pub struct ProcStat {
    /// Its pid.
    pub pid: u32,
    /// Its name (`comm`).
    pub comm: String,
    /// Its state letter (`Z` for a zombie).
    pub state: String,
    /// Its parent's pid.
    pub ppid: u32,
    /// Its session id.
    pub session: u32,
}

/// Every process, from `/proc`.
pub fn processes() -> Vec<ProcStat> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let mut stat = String::new();
        if std::fs::File::open(entry.path().join("stat"))
            .and_then(|mut f| f.read_to_string(&mut stat))
            .is_err()
        {
            continue;
        }
        // `pid (comm) state ppid pgrp session …`; comm may hold spaces and parentheses.
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let number = |i: usize| fields.get(i).and_then(|p| p.parse().ok());
        if let (Some(ppid), Some(session)) = (number(1), number(3)) {
            out.push(ProcStat {
                pid,
                comm: head.split_once('(').map_or("", |(_, c)| c).to_string(),
                state: fields.first().copied().unwrap_or("").to_string(),
                ppid,
                session,
            });
        }
    }
    out
}

/// Parent pid of every process, from `/proc`.
fn parents() -> HashMap<u32, u32> {
    processes().into_iter().map(|p| (p.pid, p.ppid)).collect()
}

/// Every descendant of `root`.
fn descendants(root: u32) -> Vec<u32> {
    let parents = parents();
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for (&child, &parent) in &parents {
            if parent == p {
                out.push(child);
                frontier.push(child);
            }
        }
    }
    out
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for vm in &mut self.vms {
            vm.kill_tmux();
            // Per-connection sshd processes outlive the listener; end them too, so no
            // ssh client (or ControlMaster) is left holding a connection.
            for pid in descendants(vm.sshd.id()) {
                // A frozen VM's processes are stopped: SIGTERM only lands once continued.
                let _ = Command::new("kill")
                    .arg("-CONT")
                    .arg(pid.to_string())
                    .status();
                let _ = Command::new("kill").arg(pid.to_string()).status();
            }
            let _ = vm.sshd.kill();
            let _ = vm.sshd.wait();
        }
        for hole in &mut self.holes {
            hole.stop.store(true, Ordering::Relaxed);
            if let Some(t) = hole.thread.take() {
                let _ = t.join();
            }
        }
    }
}
