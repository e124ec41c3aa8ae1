//! Every fenced block of the two user guides (`../shared/reference/`), read from the guides
//! themselves at test time and run as written: shell blocks by bash (with `azlin` on
//! `PATH`), in a real terminal when they attach to sessions, the Python monitor by
//! python3, the CI workflow's `run:` steps by `bash -e`; output listings are compared
//! with what azlin printed for the block before. [`TABLE`] names every block (guide,
//! heading, first line) with what it promises and how it runs: a block it does not know
//! fails the test, so an edit of a guide is never skipped silently.
//!
//! Each block runs on a fleet of real sshd + tmux VMs shaped as the guides assume
//! (guide 1: `myvm` with main/dev/staging and `prodvm` with main/api before every block,
//! plus each VM a block names; guide 2: the VMs it names, without sessions). Only external
//! tools are stand-ins: `git`, `npm`, `docker-compose`, `pytest`, `pm2`, `curl` and the
//! guide's `start-long-running-task.sh` on the VMs' `PATH` (each notes where it ran), and
//! `date` (two hours later) and `az` on the local one. Never azlin.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::Home;
use crate::support::fleet::Fleet;
use crate::support::terminal::Terminal;

/// Where the guides are: `../shared/reference` beside the clone (as CI has it).
fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference")
}

/// One fenced block of a guide.
#[derive(Debug, Clone)]
struct Block {
    guide: &'static str,
    heading: String,
    lang: String,
    text: String,
}

impl Block {
    fn first_line(&self) -> &str {
        self.text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
    }

    fn id(&self) -> String {
        format!(
            "guide {} / {} / {:?}",
            self.guide,
            self.heading,
            self.first_line()
        )
    }
}

/// The fenced blocks of guide `guide` (`000`, `001`), in order, each under the last
/// heading before it, dedented by its fence's indentation.
fn blocks(guide: &'static str) -> Vec<Block> {
    let dir = reference_dir();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "the user guides are not at {} ({e}): the tests read them from \
             `../shared/reference` beside the clone, as CI has it",
            dir.display()
        )
    });
    let path = entries
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{guide}_")))
        })
        .unwrap_or_else(|| panic!("no guide {guide}_*.txt in {}", dir.display()));
    let text = std::fs::read_to_string(&path).expect("read the guide");
    let mut out = Vec::new();
    let mut heading = String::new();
    let mut open: Option<(usize, String, Vec<String>)> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let fence = line.trim_start().starts_with("```");
        match open.take() {
            None if fence => {
                let lang = line.trim_start().trim_start_matches('`').trim().to_string();
                open = Some((indent, lang, Vec::new()));
            }
            None => {
                if line.starts_with('#') {
                    heading = line.trim_start_matches('#').trim().to_string();
                }
            }
            Some((_, lang, lines)) if fence => out.push(Block {
                guide,
                heading: heading.clone(),
                lang,
                text: lines.join("\n") + "\n",
            }),
            Some((at, lang, mut lines)) => {
                let cut = indent.min(at);
                lines.push(line[cut..].to_string());
                open = Some((at, lang, lines));
            }
        }
    }
    assert!(open.is_none(), "guide {guide}: a fence is never closed");
    out
}

/// How a block is run, and what then must hold.
enum Run {
    /// `bash -c BLOCK` without a terminal (a script), with these arguments.
    Script(&'static [&'static str], Check),
    /// `bash -c BLOCK` after replacing placeholders that cannot run as written.
    Filled(&'static [(&'static str, &'static str)], Check),
    /// Typed line by line into an interactive bash in a real terminal, as a reader
    /// would: a line that attaches to a session is followed by the lines meant for the
    /// session (typed into it), and by `C-b d` before the next azlin line.
    Terminal(&'static [Inside], Check),
    /// `python3 -c BLOCK`.
    Python(Check),
    /// A listing of output: compared with what azlin printed for the block before.
    Listing(Check),
    /// A tmux configuration for the VM: installed as its `~/.tmux.conf`.
    TmuxConf(Check),
    /// A GitHub workflow: each `run: |` step by `bash -e -c`, in order.
    Workflow(Check),
    /// A command synopsis: compared with `--help`.
    Synopsis(Check),
    /// Not runnable as it stands (why); compiled by python3.
    Pseudo(&'static str),
}

/// What the block promised, checked against what it did.
type Check = fn(&World, &Outcome);

/// Keys typed into the session of the `attach`-th attach of a terminal block (tmux
/// `send-keys` arguments), as the guide's comments say to.
struct Inside {
    attach: usize,
    keys: &'static [&'static [&'static str]],
    /// The keys end the session (and so azlin): wait for the prompt.
    ends: bool,
}

/// One row of the table: a block of a guide.
struct Entry {
    guide: &'static str,
    heading: &'static str,
    first: &'static str,
    /// What the block promises (said in the failure message).
    promise: &'static str,
    setup: fn(&World),
    run: Run,
}

/// What a block did.
#[derive(Debug, Default, Clone)]
struct Outcome {
    code: i32,
    out: String,
    err: String,
    /// The terminal's text (terminal blocks).
    screen: String,
    /// `vm:session` of each attach, in order (terminal blocks).
    attaches: Vec<String>,
    /// Exit status of each command typed at the prompt (terminal blocks).
    statuses: Vec<i32>,
    /// The block's own text (for listings: the listing).
    text: String,
}

fn none(_: &World) {}

/// Every block of both guides.
const TABLE: &[Entry] = &[
    // Guide 1: advanced session management.
    Entry {
        guide: "000",
        heading: "Creating Sessions",
        first: "# Default session (named \"azlin\")",
        promise: "creates myvm's default session and feature-auth, dev, staging, prod",
        setup: none,
        run: Run::Script(&[], creating_sessions),
    },
    Entry {
        guide: "000",
        heading: "Session Lifecycle",
        first: "# Create session",
        promise: "creates vm:newsession, connects to it, lists it",
        setup: none,
        run: Run::Terminal(&[], session_lifecycle),
    },
    Entry {
        guide: "000",
        heading: "Resolution Strategy",
        first: "def resolve_identifier(identifier: str):",
        promise: "the resolution algorithm (its examples are the next block)",
        setup: none,
        run: Run::Pseudo(
            "Python pseudo-code of the algorithm: it calls lookup_exact, \
             find_sessions_by_name and lookup_hostname, which the guide does not define",
        ),
    },
    Entry {
        guide: "000",
        heading: "Resolution Strategy",
        first: "# Given VMs:",
        promise: "exact match, unique session, ambiguous, default session",
        setup: none,
        run: Run::Terminal(&[], resolution_examples),
    },
    Entry {
        guide: "000",
        heading: "Feature Branch Development",
        first: "# Setup feature sessions",
        promise: "three feature sessions; the work typed in feature-auth and feature-api \
                  runs there, and feature-auth keeps running",
        setup: devvm_project,
        run: Run::Terminal(&[], feature_branches),
    },
    Entry {
        guide: "000",
        heading: "Environment Isolation",
        first: "# Single VM, multiple environments",
        promise: "each deploy script runs in its own session (the VM has no /app: \
                  the script's `cd /app` fails and bash goes on, as written)",
        setup: none,
        run: Run::Script(&[], environment_isolation),
    },
    Entry {
        guide: "000",
        heading: "Parallel Testing",
        first: "# Create test sessions",
        promise: "five sessions, each runs its own suite, no ssh noise",
        setup: none,
        run: Run::Script(&[], parallel_testing),
    },
    Entry {
        guide: "000",
        heading: "Shared VM Strategy",
        first: "# Each team member gets personal session",
        promise: "a session per member; each connects to their own",
        setup: none,
        run: Run::Terminal(&[], shared_vm),
    },
    Entry {
        guide: "000",
        heading: "Session Naming Conventions",
        first: "# Convention: {username}-{purpose}",
        promise: "the convention's sessions on teamvm and projectvm",
        setup: none,
        run: Run::Script(&[], naming_conventions_team),
    },
    Entry {
        guide: "000",
        heading: "Collaboration Patterns",
        first: "# Multiple people working on same codebase",
        promise: "alice and bob each reach their own existing session",
        setup: alice_and_bob,
        run: Run::Terminal(&[], shared_workspace),
    },
    Entry {
        guide: "000",
        heading: "Collaboration Patterns",
        first: "# Create session for specific task",
        promise: "the teammate continues in the same session",
        setup: none,
        run: Run::Terminal(&[], handoff),
    },
    Entry {
        guide: "000",
        heading: "azlin session",
        first: "# Set friendly name for session",
        promise: "the name shows in list's SESSION NAME column, then is cleared",
        setup: none,
        run: Run::Script(&[], session_friendly_name),
    },
    Entry {
        guide: "000",
        heading: "azlin list",
        first: "# Standard listing",
        promise: "HOSTNAME SESSION STATUS IP rows as the comment shows; --wide, --all",
        setup: none,
        run: Run::Script(&[], standard_listing),
    },
    Entry {
        guide: "000",
        heading: "Session Operations",
        first: "# Connect to session",
        promise: "connect, exec, disconnect keep the session; :kill-session ends it",
        setup: none,
        run: Run::Terminal(
            &[Inside {
                attach: 1,
                keys: &[&["C-b", ":"], &["-l", "kill-session"], &["Enter"]],
                ends: true,
            }],
            session_operations,
        ),
    },
    Entry {
        guide: "000",
        heading: "Dynamic Session Creation",
        first: "#!/bin/bash",
        promise: "a session per branch, set up by the heredoc in it",
        setup: none,
        run: Run::Script(&["feature-x"], dynamic_session),
    },
    Entry {
        guide: "000",
        heading: "Session Monitoring",
        first: "#!/bin/bash",
        promise: "visits every session exactly once",
        setup: none,
        run: Run::Script(&[], session_monitoring),
    },
    Entry {
        guide: "000",
        heading: "Automated Session Cleanup",
        first: "#!/bin/bash",
        promise: "visits every session exactly once, with its real idle time",
        setup: none,
        run: Run::Script(&[], session_cleanup),
    },
    Entry {
        guide: "000",
        heading: "Tmux Configuration",
        first: "# ~/.tmux.conf on VM",
        promise: "the VM's tmux takes every setting",
        setup: none,
        run: Run::TmuxConf(tmux_configuration),
    },
    Entry {
        guide: "000",
        heading: "Session Recovery",
        first: "# Start session and run long task",
        promise: "the task still runs when azlin connects again",
        setup: none,
        run: Run::Terminal(
            &[Inside {
                attach: 0,
                keys: &[&["-l", "start-long-running-task.sh"], &["Enter"]],
                ends: false,
            }],
            session_recovery,
        ),
    },
    Entry {
        guide: "000",
        heading: "Naming Conventions",
        first: "# Good",
        promise: "every name, good and bad, makes a session",
        setup: none,
        run: Run::Script(&[], descriptive_names),
    },
    Entry {
        guide: "000",
        heading: "Naming Conventions",
        first: "# Team convention: {component}-{environment}",
        promise: "api-dev, api-staging, api-prod",
        setup: none,
        run: Run::Script(&[], consistent_format),
    },
    Entry {
        guide: "000",
        heading: "Naming Conventions",
        first: "# Use hyphens or underscores",
        promise: "hyphen and underscore work; the colon is refused (exit 2), naming the rule",
        setup: none,
        run: Run::Script(&[], special_characters),
    },
    Entry {
        guide: "000",
        heading: "Security Considerations",
        first: "# Each user works in their own session",
        promise: "ps lists the processes (a plain shell line, no azlin)",
        setup: none,
        run: Run::Script(&[], processes_visible),
    },
    Entry {
        guide: "000",
        heading: "CI/CD Pipeline",
        first: "# .github/workflows/deploy.yml",
        promise: "the deploy heredoc and the health check run in prod-vm:main",
        setup: prod_vm_main,
        run: Run::Workflow(ci_pipeline),
    },
    Entry {
        guide: "000",
        heading: "Monitoring Integration",
        first: "# monitor_sessions.py",
        promise: "one ✅ line per session, no false ❌",
        setup: none,
        run: Run::Python(python_monitor),
    },
    // Guide 2: session names (VM labels).
    Entry {
        guide: "001",
        heading: "Quick Start",
        first: "# Set session name",
        promise: "label, show it, connect by it, clear it",
        setup: none,
        run: Run::Terminal(&[], quick_start),
    },
    Entry {
        guide: "001",
        heading: "Command Reference",
        first: "azlin session [OPTIONS] VM_NAME [SESSION_NAME]",
        promise: "the synopsis of `azlin session --help`",
        setup: none,
        run: Run::Synopsis(session_synopsis),
    },
    Entry {
        guide: "001",
        heading: "Set Session Name",
        first: "# Simple project name",
        promise: "each VM gets its label",
        setup: none,
        run: Run::Script(&[], set_session_names),
    },
    Entry {
        guide: "001",
        heading: "View Session Name",
        first: "# Check current session",
        promise: "prints the label (the next block)",
        setup: label_12345,
        run: Run::Script(&[], succeeded),
    },
    Entry {
        guide: "001",
        heading: "View Session Name",
        first: "Session name for azlin-vm-12345: my-project",
        promise: "exactly what `azlin session azlin-vm-12345` printed",
        setup: none,
        run: Run::Listing(same_output),
    },
    Entry {
        guide: "001",
        heading: "Connect by Session Name",
        first: "# Set session name",
        promise: "connects to the VM by its label",
        setup: none,
        run: Run::Terminal(&[], connect_by_label),
    },
    Entry {
        guide: "001",
        heading: "Clear Session Name",
        first: "# Remove session name",
        promise: "the label is gone",
        setup: label_my_vm,
        run: Run::Script(&[], my_vm_unlabelled),
    },
    Entry {
        guide: "001",
        heading: "Integration with List",
        first: "azlin list",
        promise: "the table of the next block",
        setup: guide_table_labels,
        run: Run::Terminal(&[], succeeded_at_terminal),
    },
    Entry {
        guide: "001",
        heading: "Integration with List",
        first: "╭──────────────────┬─────────┬──────────────┬─────────┬─────────────────╮",
        promise: "each VM with its status, IP, region and label",
        setup: none,
        run: Run::Listing(list_table),
    },
    Entry {
        guide: "001",
        heading: "Project-Based Development",
        first: "# Assign VMs to projects",
        promise: "three labels; connect by one",
        setup: none,
        run: Run::Terminal(&[], project_based),
    },
    Entry {
        guide: "001",
        heading: "Team Collaboration",
        first: "# Each team member labels their work",
        promise: "list shows who works on what",
        setup: none,
        run: Run::Terminal(&[], team_labels),
    },
    Entry {
        guide: "001",
        heading: "ML/Training Workflows",
        first: "# Label training runs",
        promise: "list --tag project=ml shows the training VMs with their labels",
        setup: tag_gpu_vms,
        run: Run::Terminal(&[], training_runs),
    },
    Entry {
        guide: "001",
        heading: "Temporary Work",
        first: "# Set temporary session",
        promise: "labelled, then cleared",
        setup: none,
        run: Run::Script(&[], temporary_work),
    },
    Entry {
        guide: "001",
        heading: "Storage Mechanism",
        first: "# View all VM tags (includes session)",
        promise: "the tags, the label among them (the next block)",
        setup: my_vm_tags,
        run: Run::Script(&[], succeeded),
    },
    Entry {
        guide: "001",
        heading: "Storage Mechanism",
        first: "Tags for my-vm:",
        promise: "exactly what `azlin tag list my-vm` printed",
        setup: none,
        run: Run::Listing(same_output),
    },
    Entry {
        guide: "001",
        heading: "Can't Set Session Name",
        first: "# Check VM exists",
        promise: "the checks run and the label is set (`<rg>` is a placeholder: bash reads \
                  it as redirections, so the test names a resource group)",
        setup: none,
        run: Run::Filled(&[("<rg>", "my-rg")], cant_set_session_name),
    },
    Entry {
        guide: "001",
        heading: "Can't Connect by Session Name",
        first: "# Verify session name is set",
        promise: "the label shows, the VM is listed, connect by name works",
        setup: label_my_vm,
        run: Run::Terminal(&[], showed_label_and_connected),
    },
    Entry {
        guide: "001",
        heading: "Session Name Conflict",
        first: "# If multiple VMs have same session, you'll get error",
        promise: "a label two VMs share is ambiguous; clearing or renaming one resolves it",
        setup: duplicate_labels,
        run: Run::Script(&[], conflict_resolved),
    },
];

const GUIDE1_VMS: &[&str] = &[
    "myvm",
    "prodvm",
    "vm",
    "devvm",
    "testvm",
    "shared-vm",
    "teamvm",
    "projectvm",
    "hostname",
    "prod-vm",
];
const GUIDE1_BASE: &[(&str, &[&str])] = &[
    ("myvm", &["main", "dev", "staging"]),
    ("prodvm", &["main", "api"]),
];

const GUIDE2_VMS: &[&str] = &[
    "my-vm",
    "azlin-vm-12345",
    "dev-vm",
    "worker-1",
    "dev-environment",
    "vm-1",
    "vm-2",
    "vm-3",
    "dev-vm-1",
    "dev-vm-2",
    "dev-vm-3",
    "gpu-vm-1",
    "gpu-vm-2",
    "test-vm",
];
/// The regions of guide 2's `azlin list` table (`region` in hosts.toml).
const GUIDE2_REGIONS: &[(&str, &str)] = &[
    ("azlin-vm-12345", "eastus"),
    ("dev-environment", "westus"),
    ("worker-1", "eastus"),
];

/// The stand-ins for external tools on the VMs: each notes `TOOL ARGS @vm:session in DIR`.
const VM_TOOLS: &[(&str, &str)] = &[
    ("git", ""),
    ("docker-compose", ""),
    ("pytest", ""),
    ("pm2", ""),
    ("curl", "echo '{\"status\":\"ok\"}'\n"),
    // `npm run dev` is a dev server: it keeps running.
    (
        "npm",
        "if [ \"$1 $2\" = \"run dev\" ]; then exec sleep 600; fi\n",
    ),
    ("start-long-running-task.sh", "exec sleep 600\n"),
];

/// A guide's fleet, its tools and its home.
struct World {
    home: Home,
    fleet: Fleet,
    vms: &'static [&'static str],
    base: &'static [(&'static str, &'static [&'static str])],
    /// hosts.toml as registered: put back before every block.
    hosts: String,
    tools: tempfile::TempDir,
    work: tempfile::TempDir,
    terminals: RefCell<u32>,
}

fn write_exec(path: &Path, text: &str) {
    crate::support::plugin::write_executable(path, text);
}

impl World {
    fn new(
        vms: &'static [&'static str],
        base: &'static [(&'static str, &'static [&'static str])],
    ) -> World {
        let home = Home::new();
        // Short paths: the tools' log is written from the VMs' shells.
        let tools = tempfile::Builder::new()
            .prefix("azg")
            .tempdir_in("/tmp")
            .unwrap();
        let vm_bin = tools.path().join("vm-bin");
        let local_bin = tools.path().join("bin");
        std::fs::create_dir_all(&vm_bin).unwrap();
        std::fs::create_dir_all(&local_bin).unwrap();
        let log = tools.path().join("log");
        for (tool, tail) in VM_TOOLS {
            write_exec(
                &vm_bin.join(tool),
                &format!(
                    "#!/bin/sh\n# A stand-in for {tool} on a fake VM: says where it ran.\n\
                     vm=$(basename \"$(dirname \"$TMUX_TMPDIR\")\")\n\
                     if [ -n \"$TMUX\" ]; then s=$(tmux display-message -p '#S'); \
                     else s=${{AZLIN_SESSION:--}}; fi\n\
                     echo \"{tool} $* @$vm:$s in $PWD\" >> {log}\n{tail}",
                    log = log.display()
                ),
            );
        }
        write_exec(
            &local_bin.join("date"),
            "#!/bin/sh\n# Two hours from now, so that every session looks idle.\n\
             if [ \"$1\" = +%s ]; then echo $(( $(/bin/date +%s) + 7200 )); \
             else exec /bin/date \"$@\"; fi\n",
        );
        write_exec(
            &local_bin.join("az"),
            "#!/bin/sh\necho \"az $*: Manage tags on a VM (stand-in)\"\n",
        );
        let fleet = Fleet::start_with_path_first(&home, vms, &vm_bin);
        for vm in vms {
            // A login shell (a session's) reads /etc/profile, which resets PATH.
            std::fs::write(
                fleet.vm(vm).home.join(".bash_profile"),
                format!("export PATH={}:$PATH\n", vm_bin.display()),
            )
            .unwrap();
        }
        let hosts_file = home.azlin_home().join("hosts.toml");
        let mut hosts = std::fs::read_to_string(&hosts_file).unwrap();
        for (vm, region) in GUIDE2_REGIONS.iter().filter(|(vm, _)| vms.contains(vm)) {
            let header = format!("[hosts.{vm}]\n");
            assert!(hosts.contains(&header), "{hosts}");
            hosts = hosts.replace(&header, &format!("{header}region = \"{region}\"\n"));
        }
        std::fs::write(&hosts_file, &hosts).unwrap();
        World {
            home,
            fleet,
            vms,
            base,
            hosts,
            tools,
            work: tempfile::tempdir().unwrap(),
            terminals: RefCell::new(0),
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.tools.path().join("log")).unwrap_or_default()
    }

    /// Waits (10 s at most) until the tools' log has `line`.
    fn expect_log(&self, line: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.log().lines().any(|l| l == line) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the tools' log has no line {line:?}:\n{}", self.log());
    }

    /// `tmux ARGS` on VM `vm`, in the environment its sshd gives (its HOME, its PATH).
    fn tmux(&self, vm: &str, args: &[&str]) -> String {
        let v = self.fleet.vm(vm);
        let out = Command::new("tmux")
            .args(args)
            .env_clear()
            .env("TMUX_TMPDIR", &v.tmux_tmpdir)
            .env("HOME", &v.home)
            .env("SHELL", "/bin/bash")
            .env(
                "PATH",
                format!(
                    "{}:/usr/local/bin:/usr/bin:/bin",
                    self.tools.path().join("vm-bin").display()
                ),
            )
            .stdin(Stdio::null())
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The sessions on `vm`, sorted.
    fn sessions(&self, vm: &str) -> Vec<String> {
        let mut s: Vec<String> = self
            .tmux(vm, &["list-sessions", "-F", "#{session_name}"])
            .lines()
            .map(str::to_string)
            .collect();
        s.sort();
        s
    }

    /// Every `vm:session` of the fleet, once each.
    fn every_session(&self) -> BTreeMap<String, usize> {
        self.vms
            .iter()
            .flat_map(|vm| {
                self.sessions(vm)
                    .into_iter()
                    .map(move |s| format!("{vm}:{s}"))
            })
            .map(|c| (c, 1))
            .collect()
    }

    /// The command running in the active pane of `vm:session`.
    fn pane_command(&self, vm: &str, session: &str) -> String {
        self.tmux(
            vm,
            &[
                "display-message",
                "-p",
                "-t",
                &format!("={session}:"),
                "#{pane_current_command}",
            ],
        )
        .trim()
        .to_string()
    }

    /// The session a client is attached to, anywhere in the fleet.
    fn attached(&self) -> Option<String> {
        self.vms.iter().find_map(|vm| {
            self.tmux(vm, &["list-clients", "-F", "#{session_name}"])
                .lines()
                .find(|l| !l.is_empty())
                .map(|s| format!("{vm}:{s}"))
        })
    }

    fn label(&self, vm: &str) -> String {
        self.home.ok(&["session", vm])
    }

    fn set_label(&self, vm: &str, label: &str) {
        self.home.ok(&["session", vm, label]);
    }

    /// Back to the guide's fleet: no sessions but the base ones, hosts as registered, no
    /// notes from the tools.
    fn reset(&self) {
        for vm in self.vms {
            self.tmux(vm, &["kill-server"]);
            let _ = std::fs::remove_file(self.fleet.vm(vm).home.join(".tmux.conf"));
        }
        std::fs::write(self.home.azlin_home().join("hosts.toml"), &self.hosts).unwrap();
        let _ = std::fs::remove_file(self.home.azlin_home().join("cache/sessions.json"));
        std::fs::write(self.tools.path().join("log"), "").unwrap();
        for (vm, sessions) in self.base {
            for s in *sessions {
                self.tmux(vm, &["new-session", "-d", "-s", s]);
            }
        }
        if !self.base.is_empty() {
            // Sessions are known from a live probe, as after any `azlin list`.
            self.home.ok(&["list"]);
        }
    }

    /// `PATH` for the blocks: the local stand-ins, azlin, then the test's own.
    fn path(&self) -> String {
        let azlin_dir = Path::new(env!("CARGO_BIN_EXE_azlin")).parent().unwrap();
        format!(
            "{}:{}:{}",
            self.tools.path().join("bin").display(),
            azlin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    /// `program ARGS…` without a terminal, in the work directory, with the guide's
    /// environment.
    fn run(&self, program: &str, args: &[&str]) -> Outcome {
        let out = Command::new(program)
            .args(args)
            .current_dir(self.work.path())
            .env_clear()
            .env("PATH", self.path())
            .env("HOME", self.home.path())
            .env("AZLIN_HOME", self.home.azlin_home())
            .stdin(Stdio::null())
            .output()
            .expect("run the block");
        Outcome {
            code: out.status.code().unwrap_or(-1),
            out: String::from_utf8_lossy(&out.stdout).into_owned(),
            err: String::from_utf8_lossy(&out.stderr).into_owned(),
            ..Outcome::default()
        }
    }

    fn script(&self, text: &str, args: &[&str]) -> Outcome {
        let mut all = vec!["-c", text, "guide-block"];
        all.extend_from_slice(args);
        self.run("bash", &all)
    }

    /// Types `text` line by line into an interactive bash in a real terminal (see
    /// [`Run::Terminal`]).
    fn terminal(&self, text: &str, inside: &[Inside]) -> Outcome {
        let n = {
            let mut t = self.terminals.borrow_mut();
            *t += 1;
            *t
        };
        let prompts_file = self.tools.path().join(format!("prompts-{n}"));
        std::fs::write(&prompts_file, "").unwrap();
        let prompts = || {
            std::fs::read_to_string(&prompts_file)
                .unwrap_or_default()
                .lines()
                .count()
        };
        let home_dir = self.home.path().to_string_lossy().into_owned();
        let azlin_home = self.home.azlin_home().to_string_lossy().into_owned();
        let path = self.path();
        // PATH is set here too: the pane's environment may not carry it.
        let shell = format!(
            "cd {work} && PATH='{path}' PS1='guide$ ' PROMPT_COMMAND='echo $? >> {file}' \
             exec bash --norc --noprofile -i",
            work = self.work.path().display(),
            file = prompts_file.display()
        );
        let term = Terminal::run(
            &shell,
            &[
                ("HOME", &home_dir),
                ("AZLIN_HOME", &azlin_home),
                ("PATH", &path),
            ],
        );
        wait_until(&term, "the first prompt", || prompts() >= 1);
        let mut expected = 1;
        let mut attached = false;
        let mut attaches: Vec<String> = Vec::new();
        let detach = |expected: usize| {
            // Keys typed inside may have ended the session: then azlin is done already.
            let deadline = Instant::now() + Duration::from_secs(40);
            let mut sent = false;
            while prompts() < expected {
                if !sent && self.attached().is_some() {
                    term.send_keys(&["C-b", "d"]);
                    sent = true;
                }
                assert!(
                    Instant::now() < deadline,
                    "azlin did not return after a detach; the terminal shows:\n{}",
                    term.screen()
                );
                std::thread::sleep(Duration::from_millis(100));
            }
        };
        for line in text.lines() {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let azlin_line = t.starts_with("azlin ");
            if attached && !azlin_line {
                // Meant for the session: typed into it.
                term.tmux_out(&["send-keys", "-l", t]);
                term.send_keys(&["Enter"]);
                continue;
            }
            if attached {
                detach(expected);
                attached = false;
            }
            term.tmux_out(&["send-keys", "-l", t]);
            term.send_keys(&["Enter"]);
            expected += 1;
            wait_until(&term, &format!("`{t}` returning or attaching"), || {
                prompts() >= expected || self.attached().is_some()
            });
            if prompts() < expected
                && let Some(session) = self.attached()
            {
                attached = true;
                attaches.push(session);
                for i in inside.iter().filter(|i| i.attach == attaches.len() - 1) {
                    for keys in i.keys {
                        // As typed: tmux opens its prompt before the rest arrives.
                        std::thread::sleep(Duration::from_millis(500));
                        let mut args = vec!["send-keys"];
                        args.extend_from_slice(keys);
                        term.tmux_out(&args);
                    }
                    if i.ends {
                        wait_until(&term, "the session's end", || prompts() >= expected);
                        attached = false;
                    }
                }
            }
        }
        if attached {
            detach(expected);
        }
        let statuses = std::fs::read_to_string(&prompts_file)
            .unwrap_or_default()
            .lines()
            .skip(1)
            .map(|l| l.trim().parse().unwrap_or(-1))
            .collect();
        let screen = term.tmux_out(&["capture-pane", "-p", "-J", "-S", "-"]);
        Outcome {
            screen,
            attaches,
            statuses,
            ..Outcome::default()
        }
    }
}

/// Waits (40 s at most) until `done`, else fails showing the terminal.
fn wait_until(term: &Terminal, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(40);
    while !done() {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within 40 s; the terminal shows:\n{}",
            term.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The `run: |` steps of a GitHub workflow, dedented.
fn workflow_steps(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == "run: |" {
            let at = indent(lines[i]);
            let mut body = Vec::new();
            i += 1;
            while i < lines.len() && (lines[i].trim().is_empty() || indent(lines[i]) > at) {
                body.push(lines[i]);
                i += 1;
            }
            let cut = body
                .iter()
                .filter(|l| !l.trim().is_empty())
                .map(|l| indent(l))
                .min()
                .unwrap_or(0);
            let body: Vec<&str> = body.iter().map(|l| l.get(cut..).unwrap_or("")).collect();
            steps.push(body.join("\n") + "\n");
        } else {
            i += 1;
        }
    }
    steps
}

/// Runs every block of guide `guide` in order on `world`, each checked by its entry;
/// fails with every block that broke its promise, and with every block the table does not
/// know.
fn run_guide(guide: &'static str, world: &World) {
    let blocks = blocks(guide);
    let mut failures: Vec<String> = Vec::new();
    let mut used = BTreeSet::new();
    let mut previous = Outcome::default();
    for block in &blocks {
        let Some((index, entry)) = TABLE.iter().enumerate().find(|(_, e)| {
            e.guide == guide && e.heading == block.heading && e.first == block.first_line()
        }) else {
            failures.push(format!(
                "{}: a ```{} block the table in tests/e2e/guides.rs does not know: add it, \
                 with what it promises and how it runs\n{}",
                block.id(),
                block.lang,
                block.text
            ));
            continue;
        };
        used.insert(index);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if !matches!(entry.run, Run::Listing(_)) {
                world.reset();
            }
            (entry.setup)(world);
            let text = block.text.as_str();
            let mut outcome = match &entry.run {
                Run::Script(args, check) => {
                    let o = world.script(text, args);
                    (check, o)
                }
                Run::Filled(fills, check) => {
                    let mut filled = text.to_string();
                    for (from, to) in *fills {
                        filled = filled.replace(from, to);
                    }
                    (check, world.script(&filled, &[]))
                }
                Run::Terminal(inside, check) => (check, world.terminal(text, inside)),
                Run::Python(check) => (check, world.run("python3", &["-c", text])),
                Run::Listing(check) => (check, previous.clone()),
                Run::TmuxConf(check) => {
                    std::fs::write(world.fleet.vm("myvm").home.join(".tmux.conf"), text).unwrap();
                    // A tmux server started by azlin's ssh reads it, as on a VM (the base
                    // sessions' server started before the file was there).
                    world.tmux("myvm", &["kill-server"]);
                    (
                        check,
                        world.run("azlin", &["ssh", "myvm", "--tmux-session", "conf"]),
                    )
                }
                Run::Workflow(check) => {
                    let steps = workflow_steps(text);
                    assert_eq!(steps.len(), 2, "the workflow's run steps: {steps:?}");
                    let mut all = Outcome::default();
                    for step in steps {
                        let o = world.run("bash", &["-e", "-c", &step]);
                        assert_eq!(o.code, 0, "step failed:\n{step}\n{}{}", o.out, o.err);
                        all.out.push_str(&o.out);
                        all.err.push_str(&o.err);
                    }
                    (check, all)
                }
                Run::Synopsis(check) => (check, world.run("azlin", &["session", "--help"])),
                Run::Pseudo(why) => {
                    let o = world.run(
                        "python3",
                        &[
                            "-c",
                            "import sys; compile(sys.argv[1], 'guide', 'exec')",
                            text,
                        ],
                    );
                    assert_eq!(o.code, 0, "not even valid Python ({why}): {}", o.err);
                    return Outcome::default();
                }
            };
            outcome.1.text = text.to_string();
            (outcome.0)(world, &outcome.1);
            outcome.1
        }));
        match result {
            Ok(o) => previous = o,
            Err(panic) => {
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!(
                    "{} (promise: {}):\n{why}",
                    block.id(),
                    entry.promise
                ));
                previous = Outcome::default();
            }
        }
    }
    for (i, e) in TABLE.iter().enumerate() {
        if e.guide == guide && !used.contains(&i) {
            failures.push(format!(
                "the table names a block guide {} has no more: {} / {:?}",
                e.guide, e.heading, e.first
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} blocks of guide {guide} failed:\n\n{}",
        failures.len(),
        blocks.len(),
        failures.join("\n\n")
    );
}

#[test]
fn advanced_session_management_guide_runs_as_written() {
    let world = World::new(GUIDE1_VMS, GUIDE1_BASE);
    run_guide("000", &world);
}

#[test]
fn session_names_guide_runs_as_written() {
    let world = World::new(GUIDE2_VMS, &[]);
    run_guide("001", &world);
}

/// Every block the guides hold is in the table (no fleet needed: a quick failure).
#[test]
fn the_table_knows_every_block_of_both_guides() {
    for guide in ["000", "001"] {
        for block in blocks(guide) {
            assert!(
                TABLE.iter().any(|e| e.guide == guide
                    && e.heading == block.heading
                    && e.first == block.first_line()),
                "{}: not in the table of tests/e2e/guides.rs",
                block.id()
            );
        }
    }
}

// ---- Checks, one per block (in the guides' order). ----

/// Asserts that the tools' log has each of `steps` (`TOOL ARGS`) run in `at` (`vm:session`).
fn ran(w: &World, at: &str, steps: &[&str]) {
    let log = w.log();
    for step in steps {
        assert!(
            log.lines()
                .any(|l| l.starts_with(&format!("{step} @{at} "))),
            "{step} in {at}: {log}"
        );
    }
}

fn ok(o: &Outcome) {
    assert_eq!(
        o.code, 0,
        "exit status\nstdout:\n{}\nstderr:\n{}",
        o.out, o.err
    );
}

fn all_ok_at_terminal(o: &Outcome) {
    assert!(
        o.statuses.iter().all(|s| *s == 0),
        "statuses {:?}:\n{}",
        o.statuses,
        o.screen
    );
}

fn attached_to(o: &Outcome, want: &[&str]) {
    assert_eq!(
        o.attaches, want,
        "attaches; the terminal showed:\n{}",
        o.screen
    );
}

fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

fn succeeded(_: &World, o: &Outcome) {
    ok(o);
}

fn succeeded_at_terminal(_: &World, o: &Outcome) {
    all_ok_at_terminal(o);
}

fn creating_sessions(w: &World, o: &Outcome) {
    ok(o);
    assert_eq!(
        w.sessions("myvm"),
        sorted(&["azlin", "dev", "feature-auth", "main", "prod", "staging"])
    );
    assert!(
        o.err.contains("created new session `myvm:feature-auth`"),
        "{}",
        o.err
    );
}

fn session_lifecycle(w: &World, o: &Outcome) {
    all_ok_at_terminal(o);
    attached_to(o, &["vm:newsession", "vm:newsession"]);
    assert_eq!(w.sessions("vm"), ["newsession"]);
    assert!(
        o.screen
            .lines()
            .any(|l| l.contains(" vm ") && l.contains("newsession")),
        "list shows vm:newsession:\n{}",
        o.screen
    );
}

fn resolution_examples(w: &World, o: &Outcome) {
    assert_eq!(o.statuses, [0, 0, 1, 0], "{}", o.screen);
    attached_to(o, &["myvm:main", "myvm:dev", "myvm:azlin"]);
    assert!(o.screen.contains("`main` is ambiguous"), "{}", o.screen);
    assert!(o.screen.contains("myvm:main") && o.screen.contains("prodvm:main"));
    assert!(o.screen.contains("created new session `myvm:azlin`"));
    assert!(w.sessions("myvm").contains(&"azlin".to_string()));
}

fn devvm_project(w: &World) {
    std::fs::create_dir_all(w.fleet.vm("devvm").home.join("project")).unwrap();
}

fn feature_branches(w: &World, o: &Outcome) {
    all_ok_at_terminal(o);
    attached_to(
        o,
        &[
            "devvm:feature-auth",
            "devvm:feature-api",
            "devvm:feature-ui",
            "devvm:feature-auth",
            "devvm:feature-api",
        ],
    );
    let project = w.fleet.vm("devvm").home.join("project");
    let p = project.display();
    for (session, branch) in [
        ("feature-auth", "feature/authentication"),
        ("feature-api", "feature/api-redesign"),
    ] {
        w.expect_log(&format!("git checkout {branch} @devvm:{session} in {p}"));
        w.expect_log(&format!("npm run dev @devvm:{session} in {p}"));
    }
    // "feature-auth keeps running": its dev server still runs there.
    assert_eq!(w.pane_command("devvm", "feature-auth"), "sleep");
}

fn environment_isolation(w: &World, o: &Outcome) {
    ok(o);
    assert!(o.err.contains("/app"), "the VM has no /app: {}", o.err);
    for (env, branch) in [("dev", "develop"), ("staging", "staging")] {
        ran(
            w,
            &format!("myvm:{env}"),
            &[
                &format!("git pull origin {branch}"),
                &format!("docker-compose -f docker-compose.{env}.yml up -d"),
            ],
        );
    }
    assert!(w.sessions("myvm").contains(&"prod".to_string()));
}

fn parallel_testing(w: &World, o: &Outcome) {
    ok(o);
    let want: Vec<String> = (1..=5).map(|i| format!("test-{i}")).collect();
    assert_eq!(w.sessions("testvm"), want);
    for i in 1..=5 {
        ran(
            w,
            &format!("testvm:test-{i}"),
            &[&format!("pytest tests/suite-{i}")],
        );
    }
    no_ssh_noise(&o.err);
}

/// No line from ssh about azlin's own connection sharing.
fn no_ssh_noise(err: &str) {
    for line in err.lines() {
        assert!(
            !line.contains("ControlSocket")
                && !line.contains("multiplexing")
                && !line.contains("Control socket")
                && !line.contains("mux_client"),
            "ssh noise on stderr: {line}\n{err}"
        );
    }
}

fn shared_vm(w: &World, o: &Outcome) {
    all_ok_at_terminal(o);
    attached_to(
        o,
        &[
            "shared-vm:alice",
            "shared-vm:bob",
            "shared-vm:charlie",
            "shared-vm:alice",
            "shared-vm:bob",
        ],
    );
    assert_eq!(w.sessions("shared-vm"), ["alice", "bob", "charlie"]);
}

fn naming_conventions_team(w: &World, o: &Outcome) {
    ok(o);
    assert_eq!(
        w.sessions("teamvm"),
        sorted(&[
            "alice-frontend",
            "alice-backend",
            "bob-testing",
            "bob-debugging"
        ])
    );
    assert_eq!(
        w.sessions("projectvm"),
        sorted(&["webapp-api", "webapp-ui", "mobile-ios"])
    );
}

fn alice_and_bob(w: &World) {
    for s in ["alice", "bob"] {
        w.tmux("shared-vm", &["new-session", "-d", "-s", s]);
    }
}

fn shared_workspace(w: &World, o: &Outcome) {
    all_ok_at_terminal(o);
    attached_to(o, &["shared-vm:alice", "shared-vm:bob"]);
    assert!(!o.screen.contains("created new session"), "{}", o.screen);
    assert_eq!(w.sessions("shared-vm"), ["alice", "bob"]);
}

fn handoff(w: &World, o: &Outcome) {
    all_ok_at_terminal(o);
    attached_to(o, &["vm:bugfix-1234"; 3]);
    assert_eq!(w.sessions("vm"), ["bugfix-1234"]);
}

fn session_friendly_name(w: &World, o: &Outcome) {
    ok(o);
    assert!(
        o.out.lines().any(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.first() == Some(&"myvm")
                && f.get(1) == Some(&"dev")
                && f.last() == Some(&"production-deployment")
        }),
        "list shows the name:\n{}",
        o.out
    );
    let json = w.home.ok(&["list", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    let dev = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["compound"] == "myvm:dev")
        .unwrap();
    assert!(dev["session_name"].is_null(), "cleared: {dev}");
}

/// The rows of a commented listing (`# HOSTNAME  SESSION …`) in a block, as words.
fn commented_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("# ") else {
            inside = false;
            continue;
        };
        if rest.starts_with("HOSTNAME") {
            inside = true;
        }
        if inside {
            rows.push(rest.split_whitespace().map(str::to_string).collect());
        }
    }
    rows
}

fn standard_listing(_: &World, o: &Outcome) {
    ok(o);
    let want = commented_rows(&o.text);
    assert_eq!(want.len(), 3, "the guide's listing: {want:?}");
    let got: Vec<Vec<&str>> = o
        .out
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    // The header's first columns, and each row the guide shows (its IP is the VM's own).
    assert_eq!(got[0][..4], ["HOSTNAME", "SESSION", "STATUS", "IP"]);
    assert_eq!(want[0], ["HOSTNAME", "SESSION", "STATUS", "IP"]);
    for row in &want[1..] {
        assert!(
            got.iter().any(|g| g.len() >= 4 && g[..3] == row[..3]),
            "no row {row:?} in:\n{}",
            o.out
        );
    }
    assert!(o.out.contains("PROVIDER"), "--wide: {}", o.out);
}

fn session_operations(w: &World, o: &Outcome) {
    all_ok_at_terminal(o);
    attached_to(o, &["hostname:session", "hostname:session"]);
    assert_eq!(o.statuses.len(), 4, "{}", o.screen);
    assert!(w.sessions("hostname").is_empty(), "killed from inside tmux");
}

fn dynamic_session(w: &World, o: &Outcome) {
    ok(o);
    assert!(
        o.out
            .ends_with("Test environment ready: testvm:test-feature-x\n"),
        "{}",
        o.out
    );
    assert_eq!(w.sessions("testvm"), ["test-feature-x"]);
    ran(
        w,
        "testvm:test-feature-x",
        &[
            "git fetch origin",
            "git checkout feature-x",
            "npm install",
            "npm run build",
            "npm test",
        ],
    );
}

/// How many times each `vm:session` follows `prefix` at the start of a line of `out`.
fn visits(out: &str, prefix: &str) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    for line in out.lines() {
        if let Some(rest) = line.strip_prefix(prefix) {
            let id: String = rest
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '(')
                .collect();
            *seen.entry(id).or_insert(0) += 1;
        }
    }
    seen
}

fn session_monitoring(w: &World, o: &Outcome) {
    // The last grep's status: whether this machine runs node, python or docker.
    assert!(matches!(o.code, 0 | 1), "{}", o.err);
    assert_eq!(
        visits(&o.out, "=== "),
        w.every_session(),
        "{}\n{}",
        o.out,
        o.err
    );
}

fn session_cleanup(w: &World, o: &Outcome) {
    ok(o);
    assert_eq!(
        visits(&o.out, "Idle session: "),
        w.every_session(),
        "{}",
        o.out
    );
    for line in o.out.lines() {
        let secs: u64 = line
            .rsplit_once('(')
            .and_then(|(_, s)| s.strip_suffix("s)"))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no idle time in {line:?}"));
        assert!((7000..7600).contains(&secs), "{line}");
    }
}

fn tmux_configuration(w: &World, o: &Outcome) {
    ok(o);
    let options = w.tmux("myvm", &["show-options", "-g"]);
    for want in ["history-limit 10000", "mouse on"] {
        assert!(options.lines().any(|l| l == want), "{want}: {options}");
    }
    assert!(
        options.contains("status-right \"#H #(date +'%Y-%m-%d %H:%M')\""),
        "{options}"
    );
    let keys = w.tmux("myvm", &["list-keys", "-T", "prefix"]);
    for (key, dir) in [("h", "L"), ("j", "D"), ("k", "U"), ("l", "R")] {
        assert!(
            keys.lines().any(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                f.get(3) == Some(&key) && l.ends_with(&format!("select-pane -{dir}"))
            }),
            "{key}: {keys}"
        );
    }
}

fn session_recovery(w: &World, o: &Outcome) {
    all_ok_at_terminal(o);
    attached_to(o, &["myvm:main", "myvm:main"]);
    let log = w.log();
    assert!(
        log.lines()
            .any(|l| l.starts_with("start-long-running-task.sh  @myvm:main ")),
        "{log}"
    );
    // "Task still running!"
    assert_eq!(w.pane_command("myvm", "main"), "sleep");
}

fn descriptive_names(w: &World, o: &Outcome) {
    ok(o);
    assert_eq!(
        w.sessions("vm"),
        sorted(&["feature-oauth", "debug-memory-leak", "dev1", "temp"])
    );
}

fn consistent_format(w: &World, o: &Outcome) {
    ok(o);
    assert_eq!(
        w.sessions("vm"),
        sorted(&["api-dev", "api-staging", "api-prod"])
    );
}

fn special_characters(w: &World, o: &Outcome) {
    assert_eq!(o.code, 2, "the colon is refused: {}", o.err);
    assert!(o.err.contains("feature:auth"), "{}", o.err);
    assert_eq!(w.sessions("vm"), ["feature-auth", "feature_auth"]);
}

fn processes_visible(_: &World, o: &Outcome) {
    ok(o);
    assert!(
        o.out.lines().next().is_some_and(|l| l.contains("PID")),
        "{}",
        o.out
    );
}

fn prod_vm_main(w: &World) {
    w.tmux("prod-vm", &["new-session", "-d", "-s", "main"]);
}

fn ci_pipeline(w: &World, o: &Outcome) {
    ran(
        w,
        "prod-vm:main",
        &[
            "git pull origin main",
            "npm install",
            "npm run build",
            "pm2 restart app",
            "curl -f http://localhost:8080/health",
        ],
    );
    assert!(o.out.contains("\"status\":\"ok\""), "{}", o.out);
}

fn python_monitor(w: &World, o: &Outcome) {
    ok(o);
    let mut lines: Vec<&str> = o.out.lines().collect();
    lines.sort();
    let want: Vec<String> = w
        .every_session()
        .keys()
        .map(|s| format!("{s} - ✅"))
        .collect();
    assert_eq!(lines, want, "{}", o.err);
}

/// The block showed my-vm's label, then connected to my-vm by name or label.
fn showed_label_and_connected(_: &World, o: &Outcome) {
    all_ok_at_terminal(o);
    attached_to(o, &["my-vm:azlin"]);
    assert!(
        o.screen.contains("Session name for my-vm: my-project"),
        "{}",
        o.screen
    );
}

fn quick_start(w: &World, o: &Outcome) {
    showed_label_and_connected(w, o);
    assert_eq!(w.label("my-vm"), "No session name for my-vm\n");
}

fn session_synopsis(_: &World, o: &Outcome) {
    ok(o);
    let usage = o
        .out
        .lines()
        .find(|l| l.starts_with("Usage:"))
        .unwrap_or_default();
    // `azlin session [OPTIONS] VM_NAME [SESSION_NAME]`: one required name, one optional.
    assert_eq!(
        usage, "Usage: azlin session [OPTIONS] <ID> [NAME]",
        "{}",
        o.out
    );
    for option in ["--clear", "--rg", "--resource-group"] {
        assert!(o.out.contains(option), "{option}: {}", o.out);
    }
}

fn set_session_names(w: &World, o: &Outcome) {
    ok(o);
    for (vm, label) in [
        ("azlin-vm-12345", "my-project"),
        ("dev-vm", "backend-api-development"),
        ("worker-1", "data-pipeline-v2"),
    ] {
        assert_eq!(w.label(vm), format!("Session name for {vm}: {label}\n"));
    }
}

fn label_12345(w: &World) {
    w.set_label("azlin-vm-12345", "my-project");
}

fn same_output(_: &World, o: &Outcome) {
    assert_eq!(o.out, o.text, "what azlin printed, and the guide's listing");
}

fn connect_by_label(_: &World, o: &Outcome) {
    all_ok_at_terminal(o);
    attached_to(o, &["azlin-vm-12345:azlin"]);
}

fn label_my_vm(w: &World) {
    w.set_label("my-vm", "my-project");
}

fn my_vm_unlabelled(w: &World, o: &Outcome) {
    ok(o);
    assert_eq!(w.label("my-vm"), "No session name for my-vm\n");
}

fn guide_table_labels(w: &World) {
    w.set_label("azlin-vm-12345", "my-project");
    w.set_label("dev-environment", "backend-api");
    w.set_label("worker-1", "data-pipeline");
}

/// The cells of a boxed table's line (`│ a ┆ b │`, or the guide's `│ a │ b │`).
fn cells(line: &str) -> Vec<String> {
    line.split(['│', '┆'])
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect()
}

fn list_table(_: &World, o: &Outcome) {
    let guide: Vec<Vec<String>> = o
        .text
        .lines()
        .filter(|l| l.starts_with('│'))
        .map(cells)
        .collect();
    assert_eq!(
        guide[0],
        ["Name", "Status", "IP Address", "Region", "Session"]
    );
    let ours: Vec<Vec<String>> = o
        .screen
        .lines()
        .filter(|l| l.starts_with('│'))
        .map(cells)
        .collect();
    let header = ours.first().expect("a table on the terminal");
    for column in ["HOSTNAME", "STATUS", "IP", "REGION", "SESSION NAME"] {
        assert!(header.iter().any(|h| h == column), "{column}: {header:?}");
    }
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    for row in &guide[1..] {
        let (name, status, region, label) = (&row[0], &row[1], &row[3], &row[4]);
        assert!(
            ours.iter().any(|r| r.get(at("HOSTNAME")) == Some(name)
                && r.get(at("STATUS")) == Some(status)
                && r.get(at("REGION")) == Some(region)
                && r.get(at("SESSION NAME")) == Some(label)
                && r.get(at("IP"))
                    .is_some_and(|ip| ip.parse::<std::net::IpAddr>().is_ok())),
            "no row for {row:?} in:\n{}",
            o.screen
        );
    }
}

fn project_based(w: &World, o: &Outcome) {
    all_ok_at_terminal(o);
    attached_to(o, &["vm-1:azlin"]);
    for (vm, label) in [
        ("vm-1", "project-alpha"),
        ("vm-2", "project-beta"),
        ("vm-3", "project-gamma"),
    ] {
        assert_eq!(w.label(vm), format!("Session name for {vm}: {label}\n"));
    }
}

/// Whether the terminal's table has a row naming `vm` and `label`.
fn row_with(screen: &str, vm: &str, label: &str) -> bool {
    screen.lines().any(|l| {
        let c = cells(l);
        c.first().is_some_and(|n| n == vm) && c.iter().any(|x| x == label)
    })
}

fn team_labels(_: &World, o: &Outcome) {
    all_ok_at_terminal(o);
    for (vm, label) in [
        ("dev-vm-1", "sarah-frontend"),
        ("dev-vm-2", "john-backend"),
        ("dev-vm-3", "maria-database"),
    ] {
        assert!(row_with(&o.screen, vm, label), "{vm}: {}", o.screen);
    }
}

fn tag_gpu_vms(w: &World) {
    for vm in ["gpu-vm-1", "gpu-vm-2"] {
        w.home.ok(&["tag", "add", vm, "project=ml"]);
    }
}

fn training_runs(_: &World, o: &Outcome) {
    all_ok_at_terminal(o);
    assert!(
        row_with(&o.screen, "gpu-vm-1", "bert-training-run-1"),
        "{}",
        o.screen
    );
    assert!(
        row_with(&o.screen, "gpu-vm-2", "gpt-training-run-2"),
        "{}",
        o.screen
    );
    assert!(!o.screen.contains("dev-vm-1"), "{}", o.screen);
}

fn temporary_work(w: &World, o: &Outcome) {
    ok(o);
    assert_eq!(w.label("test-vm"), "No session name for test-vm\n");
}

fn my_vm_tags(w: &World) {
    w.set_label("my-vm", "my-project");
    w.home.ok(&[
        "tag",
        "add",
        "my-vm",
        "environment=development",
        "team=backend",
    ]);
}

fn cant_set_session_name(w: &World, o: &Outcome) {
    ok(o);
    assert_eq!(w.label("my-vm"), "Session name for my-vm: my-project\n");
    assert!(o.out.contains("az vm tag -h"), "{}", o.out);
}

/// Two VMs labelled alike, as a hand edit of hosts.toml or tags set outside azlin leave
/// them (azlin itself refuses to make such a pair).
fn duplicate_labels(w: &World) {
    let path = w.home.azlin_home().join("hosts.toml");
    let mut hosts = std::fs::read_to_string(&path).unwrap();
    for vm in ["vm-1", "vm-2"] {
        let header = format!("[hosts.{vm}]\n");
        hosts = hosts.replace(&header, &format!("{header}label = \"project-alpha\"\n"));
    }
    std::fs::write(&path, hosts).unwrap();
    let out = w
        .home
        .azlin()
        .args(["resolve", "project-alpha"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ambiguous"));
}

fn conflict_resolved(w: &World, o: &Outcome) {
    ok(o);
    assert_eq!(w.label("vm-2"), "Session name for vm-2: unique-name\n");
    let resolved = w.home.ok(&["resolve", "project-alpha"]);
    assert!(resolved.contains("vm-1"), "{resolved}");
}

// ---- Item 7 of issue 18: parallel `exec` on one VM prints nothing of ssh's own. ----

/// The guide's parallel loop (separate `azlin exec` processes) and `exec` of the five
/// sessions in one process, each on a cold shared connection (no master, no claim),
/// a few times over: every run succeeds and stderr holds no line of ssh's.
#[test]
fn parallel_exec_on_one_vm_prints_no_ssh_noise_on_a_cold_connection() {
    let world = World::new(&["testvm"], &[]);
    let block = blocks("000")
        .into_iter()
        .find(|b| b.heading == "Parallel Testing")
        .expect("the guide's Parallel Testing block");
    // The loop of separate processes, as written after its comment.
    let (_, parallel) = block
        .text
        .split_once("# Execute tests in parallel")
        .expect("the parallel loop");
    let parallel = format!("set -e\n{parallel}");
    for s in 1..=5 {
        world.tmux("testvm", &["new-session", "-d", "-s", &format!("test-{s}")]);
    }
    let cm = world.home.path().join(".ssh/cm");
    let cold = || {
        // No master and no claim: the state after ControlPersist ran out.
        for entry in std::fs::read_dir(&cm).into_iter().flatten().flatten() {
            let _ = std::fs::remove_file(entry.path());
        }
    };
    let one_process: Vec<String> = ["exec"]
        .into_iter()
        .map(str::to_string)
        .chain((1..=5).map(|i| format!("testvm:test-{i}")))
        .chain(["--", "pytest", "tests/suite"].map(str::to_string))
        .collect();
    for round in 0..3 {
        cold();
        std::fs::write(world.tools.path().join("log"), "").unwrap();
        let o = world.script(&parallel, &[]);
        assert_eq!(o.code, 0, "round {round}: {}", o.err);
        no_ssh_noise(&o.err);
        let log = world.log();
        for i in 1..=5 {
            assert!(
                log.contains(&format!("pytest tests/suite-{i} @testvm:test-{i} ")),
                "round {round}: {log}"
            );
        }
        cold();
        let args: Vec<&str> = one_process.iter().map(String::as_str).collect();
        let o = world.run("azlin", &args);
        assert_eq!(o.code, 0, "round {round}: {}", o.err);
        no_ssh_noise(&o.err);
        assert!(
            o.err.contains("exec: succeeded on 5 of 5 targets"),
            "{}",
            o.err
        );
    }
}

// ---- Guide 2's Region column: where it comes from, where it shows. ----

#[test]
fn region_is_the_azure_location_or_the_hosts_region_in_json_csv_and_wide() {
    use crate::support::arm::{Arm, EmuVm, FakeAz, ok as azure_ok};
    let home = Home::new();
    home.ok(&[
        "host",
        "add",
        "lab",
        "--address",
        "10.0.0.1",
        "--region",
        "lab-2",
    ]);
    home.ok(&["host", "add", "plain", "--address", "10.0.0.2"]);
    // The rule is checked on `host add` and in a hand-edited hosts.toml alike.
    let out = home
        .azlin()
        .args([
            "host",
            "add",
            "bad",
            "--address",
            "10.0.0.3",
            "--region",
            "east us",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("region `east us` is not valid"), "{err}");
    let rows: serde_json::Value =
        serde_json::from_str(&home.ok(&["list", "--no-tmux", "--format", "json"])).unwrap();
    let region = |name: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["hostname"] == name)
            .map(|r| r["region"].clone())
            .unwrap()
    };
    assert_eq!(region("lab"), "lab-2");
    assert!(region("plain").is_null());
    let csv = home.ok(&["list", "--no-tmux", "--format", "csv"]);
    assert!(
        csv.lines().next().unwrap().ends_with(",port,region"),
        "{csv}"
    );
    assert!(
        csv.lines()
            .any(|l| l.starts_with("lab,") && l.ends_with(",lab-2")),
        "{csv}"
    );
    // Plain columns keep the scripts' form; --wide has the column.
    let plain = home.ok(&["list", "--no-tmux"]);
    assert!(!plain.contains("REGION"), "{plain}");
    let wide = home.ok(&["list", "--no-tmux", "--wide"]);
    let header: Vec<&str> = wide.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header[..5],
        ["HOSTNAME", "SESSION", "STATUS", "IP", "REGION"],
        "{wide}"
    );
    assert!(
        wide.lines()
            .any(|l| l.starts_with("lab ") && l.contains(" lab-2 ")),
        "{wide}"
    );
    let path = home.azlin_home().join("hosts.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("\"lab-2\"", "\"lab\\u001b[2J\"")).unwrap();
    let out = home.azlin().args(["list", "--no-tmux"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("host `lab`") && err.contains("region"),
        "{err}"
    );
    assert!(!err.contains('\u{1b}'), "escaped: {err}");

    // Azure: the VM's location.
    let home = Home::new();
    let arm = Arm::start(vec![EmuVm::new("cloudy", "rg")], 10);
    let az = FakeAz::install(&home.path().join("fake-bin"));
    let rows: serde_json::Value = serde_json::from_str(&azure_ok(
        &home,
        &arm,
        &az,
        &["list", "--no-tmux", "--format", "json"],
    ))
    .unwrap();
    let cloudy = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["hostname"] == "cloudy")
        .expect("the Azure VM");
    assert_eq!(cloudy["region"], "eastus", "{cloudy}");
}
