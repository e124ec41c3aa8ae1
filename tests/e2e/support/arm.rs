//! An Azure Resource Manager emulator: a real HTTP/1.1 server on loopback serving the
//! list operations of VMs, network interfaces and public IPs (paged, with `nextLink`) and
//! the Tags API, checking bearer tokens, counting requests, and injecting faults (429 with
//! Retry-After, 500, slow responses, dropped connections). Plus a fake `az` on PATH.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

/// The subscription the emulator serves.
pub const SUB: &str = "00000000-0000-0000-0000-00000000a21e";

/// One VM of the emulated subscription.
#[derive(Debug, Clone)]
pub struct EmuVm {
    /// Name.
    pub name: String,
    /// Resource group.
    pub rg: String,
    /// `running`, `stopped`, `deallocated`, `starting`.
    pub power: String,
    /// Public IP, if any.
    pub public_ip: Option<String>,
    /// Private IP, if any.
    pub private_ip: Option<String>,
    /// Admin user.
    pub admin: String,
    /// Tags.
    pub tags: BTreeMap<String, String>,
}

impl EmuVm {
    /// A running VM with a public and a private IP.
    pub fn new(name: &str, rg: &str) -> EmuVm {
        EmuVm {
            name: name.to_string(),
            rg: rg.to_string(),
            power: "running".to_string(),
            public_ip: Some("20.0.0.1".to_string()),
            private_ip: Some("10.0.0.1".to_string()),
            admin: "azureuser".to_string(),
            tags: BTreeMap::new(),
        }
    }

    fn id(&self) -> String {
        format!(
            "/subscriptions/{SUB}/resourceGroups/{}/providers/Microsoft.Compute/virtualMachines/{}",
            self.rg, self.name
        )
    }
    fn nic_id(&self) -> String {
        format!(
            "/subscriptions/{SUB}/resourceGroups/{}/providers/Microsoft.Network/networkInterfaces/{}-nic",
            self.rg, self.name
        )
    }
    fn pip_id(&self) -> String {
        format!(
            "/subscriptions/{SUB}/resourceGroups/{}/providers/Microsoft.Network/publicIPAddresses/{}-ip",
            self.rg, self.name
        )
    }
}

/// A fault applied to the next request (in order).
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status, and `Retry-After` seconds if given.
    Status(u16, Option<u64>),
    /// Answer normally after this delay.
    Delay(Duration),
    /// Close the connection without an answer.
    Drop,
}

/// One request as the emulator saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Method.
    pub method: String,
    /// Path and query.
    pub target: String,
    /// The body.
    pub body: String,
    /// Status sent (0 when dropped).
    pub status: u16,
}

/// The emulator's state, shared with its threads.
#[derive(Debug, Default)]
pub struct State {
    /// The VMs.
    pub vms: Vec<EmuVm>,
    /// Items per page.
    pub page_size: usize,
    /// Tokens answered with 401 ExpiredAuthenticationToken.
    pub expired: HashSet<String>,
    /// Faults to apply to the next requests.
    pub faults: VecDeque<Fault>,
    /// Every request.
    pub seen: Vec<Seen>,
    /// Added to every response (benchmarks: a network's round trip).
    pub latency: Duration,
}

/// A running emulator.
pub struct Arm {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// Its state.
    pub state: Arc<Mutex<State>>,
}

impl Arm {
    /// Starts an emulator serving `vms`, `page_size` items a page.
    pub fn start(vms: Vec<EmuVm>, page_size: usize) -> Arm {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind emulator");
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            vms,
            page_size,
            ..State::default()
        }));
        let shared = Arc::clone(&state);
        let base = endpoint.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                let base = base.clone();
                std::thread::spawn(move || serve(stream, &state, &base));
            }
        });
        Arm { endpoint, state }
    }

    /// Queues faults for the next requests.
    pub fn inject(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state.lock().unwrap().faults.extend(faults);
    }

    /// Requests seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    /// Number of requests seen so far.
    pub fn requests(&self) -> usize {
        self.state.lock().unwrap().seen.len()
    }

    /// The tags of VM `name` as the emulator holds them.
    pub fn tags_of(&self, name: &str) -> BTreeMap<String, String> {
        let st = self.state.lock().unwrap();
        st.vms.iter().find(|v| v.name == name).unwrap().tags.clone()
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>, base: &str) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let mut headers = BTreeMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let body = String::from_utf8_lossy(&body).into_owned();
        let (fault, latency) = {
            let mut st = state.lock().unwrap();
            (st.faults.pop_front(), st.latency)
        };
        std::thread::sleep(latency);
        let (status, extra, payload) = match fault {
            Some(Fault::Drop) => {
                record(state, &method, &target, &body, 0);
                let _ = writer.shutdown(std::net::Shutdown::Both);
                return;
            }
            Some(Fault::Status(code, retry)) => {
                let extra = retry
                    .map(|s| format!("Retry-After: {s}\r\n"))
                    .unwrap_or_default();
                let payload =
                    json!({"error": {"code": "Injected", "message": format!("injected {code}")}});
                (code, extra, payload)
            }
            Some(Fault::Delay(d)) => {
                std::thread::sleep(d);
                let (s, p) = handle(state, &method, &target, &headers, &body, base);
                (s, String::new(), p)
            }
            None => {
                let (s, p) = handle(state, &method, &target, &headers, &body, base);
                (s, String::new(), p)
            }
        };
        record(state, &method, &target, &body, status);
        let text = payload.to_string();
        let resp = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}\r\n{text}",
            text.len()
        );
        if writer.write_all(resp.as_bytes()).is_err() {
            return;
        }
    }
}

fn record(state: &Mutex<State>, method: &str, target: &str, body: &str, status: u16) {
    state.lock().unwrap().seen.push(Seen {
        method: method.to_string(),
        target: target.to_string(),
        body: body.to_string(),
        status,
    });
}

fn handle(
    state: &Mutex<State>,
    method: &str,
    target: &str,
    headers: &BTreeMap<String, String>,
    body: &str,
    base: &str,
) -> (u16, Value) {
    let err = |code: &str, msg: &str| json!({"error": {"code": code, "message": msg}});
    let token = headers
        .get("authorization")
        .and_then(|a| a.strip_prefix("Bearer "))
        .unwrap_or("");
    let mut st = state.lock().unwrap();
    if !token.starts_with("SECRET-TOKEN-") {
        return (
            401,
            err("InvalidAuthenticationToken", "no valid bearer token"),
        );
    }
    if st.expired.contains(token) {
        return (
            401,
            err("ExpiredAuthenticationToken", "the token has expired"),
        );
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let skip: usize = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("$skiptoken="))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if method == "PATCH" && path.ends_with("/providers/Microsoft.Resources/tags/default") {
        let vm_id = path.trim_end_matches("/providers/Microsoft.Resources/tags/default");
        let req: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let Some(vm) = st
            .vms
            .iter_mut()
            .find(|v| v.id().eq_ignore_ascii_case(vm_id))
        else {
            return (404, err("ResourceNotFound", "no such VM"));
        };
        let given: BTreeMap<String, String> = req
            .pointer("/properties/tags")
            .and_then(|t| serde_json::from_value(t.clone()).ok())
            .unwrap_or_default();
        match req.get("operation").and_then(Value::as_str) {
            Some("Merge") => vm.tags.extend(given),
            Some("Delete") => {
                for (k, v) in given {
                    if vm.tags.get(&k) == Some(&v) || v.is_empty() {
                        vm.tags.remove(&k);
                    }
                }
            }
            _ => {
                return (
                    400,
                    err("InvalidOperation", "operation must be Merge or Delete"),
                );
            }
        }
        return (
            200,
            json!({"id": format!("{vm_id}/providers/Microsoft.Resources/tags/default"),
                   "name": "default", "properties": {"tags": vm.tags}}),
        );
    }
    if method != "GET" || segs.len() < 4 || segs[0] != "subscriptions" || segs[1] != SUB {
        return (404, err("NotFound", "no such route"));
    }
    let (rg, kind) = match segs.as_slice() {
        [_, _, "providers", ns, ty] => (None, format!("{ns}/{ty}")),
        [_, _, "resourceGroups", rg, "providers", ns, ty] => (Some(*rg), format!("{ns}/{ty}")),
        _ => return (404, err("NotFound", "no such route")),
    };
    let vms: Vec<&EmuVm> = st
        .vms
        .iter()
        .filter(|v| rg.is_none_or(|g| g.eq_ignore_ascii_case(&v.rg)))
        .collect();
    let items: Vec<Value> = match kind.as_str() {
        "Microsoft.Compute/virtualMachines" => {
            if !query.contains("statusOnly=true") && !query.contains("$expand=instanceView") {
                return (400, err("BadRequest", "ask for the instance view"));
            }
            vms.iter().map(|v| vm_json(v)).collect()
        }
        "Microsoft.Network/networkInterfaces" => vms.iter().map(|v| nic_json(v)).collect(),
        "Microsoft.Network/publicIPAddresses" => vms
            .iter()
            .filter(|v| v.public_ip.is_some())
            .map(|v| {
                json!({"id": v.pip_id(), "name": format!("{}-ip", v.name),
                            "properties": {"ipAddress": v.public_ip}})
            })
            .collect(),
        _ => return (404, err("NotFound", "no such resource type")),
    };
    let page_size = st.page_size.max(1);
    let page: Vec<Value> = items.iter().skip(skip).take(page_size).cloned().collect();
    let mut out = json!({ "value": page });
    if skip + page_size < items.len() {
        let api = query
            .split('&')
            .find(|kv| kv.starts_with("api-version="))
            .unwrap_or("api-version=x");
        let keep: Vec<&str> = query
            .split('&')
            .filter(|kv| !kv.starts_with("$skiptoken=") && !kv.starts_with("api-version="))
            .collect();
        let mut next = format!("{base}{path}?{api}&$skiptoken={}", skip + page_size);
        for kv in keep {
            next.push('&');
            next.push_str(kv);
        }
        out["nextLink"] = Value::String(next);
    }
    drop(st);
    (200, out)
}

fn vm_json(v: &EmuVm) -> Value {
    json!({
        "id": v.id(),
        "name": v.name,
        "type": "Microsoft.Compute/virtualMachines",
        "location": "westeurope",
        "tags": v.tags,
        "properties": {
            "vmId": format!("vmid-{}", v.name),
            "osProfile": {"computerName": v.name, "adminUsername": v.admin, "linuxConfiguration": {}},
            "storageProfile": {"osDisk": {"osType": "Linux"}},
            "networkProfile": {"networkInterfaces": [{"id": v.nic_id(), "properties": {"primary": true}}]},
            "instanceView": {"statuses": [
                {"code": "ProvisioningState/succeeded"},
                {"code": format!("PowerState/{}", v.power)}
            ]}
        }
    })
}

fn nic_json(v: &EmuVm) -> Value {
    let mut ip = json!({"privateIPAddress": v.private_ip, "primary": true});
    if v.public_ip.is_some() {
        ip["publicIPAddress"] = json!({"id": v.pip_id()});
    }
    json!({
        "id": v.nic_id(),
        "name": format!("{}-nic", v.name),
        "properties": {
            "ipConfigurations": [{"name": "ipconfig1", "properties": ip}],
            "virtualMachine": {"id": v.id()}
        }
    })
}

/// A fake `az` in its own absolute directory: prints a token `SECRET-TOKEN-<n>` (n counts
/// calls) that expires in an hour, or fails like a logged-out CLI when `fail` exists.
pub struct FakeAz {
    /// The directory holding `az` (put first on PATH).
    pub dir: PathBuf,
}

impl FakeAz {
    /// Writes the script into `dir` (absolute).
    pub fn install(dir: &Path) -> FakeAz {
        assert!(dir.is_absolute());
        std::fs::create_dir_all(dir).unwrap();
        let d = dir.display();
        let script = format!(
            "#!/bin/sh\n\
             echo \"$*\" >> '{d}/calls'\n\
             n=$(wc -l < '{d}/calls' | tr -d ' ')\n\
             if [ -f '{d}/fail' ]; then echo \"ERROR: Please run 'az login' to setup account.\" >&2; exit 1; fi\n\
             exp=$(( $(date +%s) + 3600 ))\n\
             printf '{{\"accessToken\":\"SECRET-TOKEN-%s\",\"expiresOn\":\"2099-01-01 00:00:00.000000\",\"expires_on\":%s,\"subscription\":\"{SUB}\",\"tenant\":\"t\",\"tokenType\":\"Bearer\"}}\\n' \"$n\" \"$exp\"\n"
        );
        let path = dir.join("az");
        std::fs::write(&path, script).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        FakeAz {
            dir: dir.to_path_buf(),
        }
    }

    /// How many times `az` ran.
    pub fn calls(&self) -> usize {
        std::fs::read_to_string(self.dir.join("calls"))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }

    /// Makes `az` fail like a logged-out CLI.
    pub fn fail(&self) {
        std::fs::write(self.dir.join("fail"), "").unwrap();
    }
}

/// `azlin` in `home`, pointed at the emulator, with the fake `az` first on PATH and the
/// subscription set (managed identity off: a CI runner may itself be an Azure VM).
pub fn azlin_azure(home: &super::Home, arm: &Arm, az: &FakeAz) -> assert_cmd::Command {
    let mut cmd = home.azlin();
    let path = format!(
        "{}:{}",
        az.dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    cmd.env("PATH", path)
        .env("AZLIN_ARM_ENDPOINT", &arm.endpoint)
        .env("AZURE_SUBSCRIPTION_ID", SUB)
        .env("AZLIN_MANAGED_IDENTITY", "off");
    cmd
}

/// Writes an Azure CLI profile whose default subscription is the emulator's.
pub fn write_cli_profile(home: &super::Home) {
    std::fs::create_dir_all(home.path().join(".azure")).unwrap();
    std::fs::write(
        home.path().join(".azure/azureProfile.json"),
        format!("\u{feff}{{\"subscriptions\":[{{\"id\":\"{SUB}\",\"isDefault\":true}}]}}"),
    )
    .unwrap();
}

/// Runs azlin against the emulator; (status code, stdout, stderr).
pub fn run(home: &super::Home, arm: &Arm, az: &FakeAz, args: &[&str]) -> (i32, String, String) {
    let out = azlin_azure(home, arm, az)
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run azlin");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        !stdout.contains("SECRET-TOKEN") && !stderr.contains("SECRET-TOKEN"),
        "a token leaked into the output of {args:?}:\n{stdout}\n{stderr}"
    );
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

/// Like [`run`], asserting success; stdout.
pub fn ok(home: &super::Home, arm: &Arm, az: &FakeAz, args: &[&str]) -> String {
    let (code, stdout, stderr) = run(home, arm, az, args);
    assert_eq!(code, 0, "azlin {args:?} failed:\n{stderr}");
    stdout
}
