//! An Azure Resource Manager emulator: a real HTTP/1.1 server on loopback that answers the
//! operations azlin sends the way the service documents them, and no others.
//!
//! Record shapes follow Microsoft's published examples (Azure/azure-rest-api-specs):
//! - VMs: `specification/compute/resource-manager/Microsoft.Compute/ComputeRP/stable/
//!   2024-07-01/examples/virtualMachineExamples/VirtualMachine_ListAll_MaximumSet_Gen.json`
//!   and `…/VirtualMachine_List_MaximumSet_Gen.json` (no `instanceView` in a plain list;
//!   `virtualMachineScaleSet` reference; `networkProfile.networkInterfaces[].properties.primary`).
//!   `statusOnly=true` (the spec: "enables fetching run time status") answers with the
//!   instance view only, as SDK users report (azure-rest-api-specs issue 42411).
//!   `$expand=instanceView` "can only be specified if a valid $filter option is specified"
//!   (`virtualMachine.json`, 2024-07-01): without `$filter` it is a 400 here.
//! - NICs: `specification/network/resource-manager/Microsoft.Network/stable/2024-05-01/
//!   examples/NetworkInterfaceListAll.json` (`ipConfigurations[].properties.primary`,
//!   `privateIPAddressVersion`).
//! - Public IPs: `…/Microsoft.Network/stable/2024-03-01/examples/PublicIpAddressListAll.json`
//!   (a dynamic IP of a deallocated VM has no `ipAddress`).
//! - Tags: `specification/resources/resource-manager/Microsoft.Resources/stable/2021-04-01/
//!   examples/PutTagsResource.json` (200 with the tags, or 202 Accepted with no body) and
//!   `…/UpdateAtScopeTags.json` (200 with `{"properties":{}}`).
//! - Resource Graph: `specification/resourcegraph/resource-manager/Microsoft.ResourceGraph/
//!   stable/2024-04-01/examples/ResourcesFirstPageQuery.json` and
//!   `ResourcesNextPageQuery.json` (`data`, `count`, `totalRecords`, `$skipToken`).
//!
//! As strict as the service: unknown api-versions and undocumented query parameters are
//! 400s; `nextLink`s are absolute, Compute's with `%24skiptoken`, Network's with
//! `$skipToken`, and only the link handed out is accepted; the first NIC page is empty
//! and still has a `nextLink`; ids differ in case between a reference and the resource.
//! Also checks bearer tokens, counts requests and injects faults (429 with Retry-After,
//! 500, slow responses, dropped connections). Plus a fake `az` on PATH.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

/// The subscription the emulator serves by default.
pub const SUB: &str = "00000000-0000-0000-0000-00000000a21e";

/// api-versions the emulator knows, per provider (azlin sends the first of each).
const COMPUTE_APIS: &[&str] = &["2024-07-01", "2024-03-01", "2023-09-01"];
const NETWORK_APIS: &[&str] = &["2024-05-01", "2024-03-01", "2023-11-01"];
const TAGS_APIS: &[&str] = &["2021-04-01", "2022-09-01", "2023-07-01", "2024-03-01"];
const GRAPH_APIS: &[&str] = &["2024-04-01", "2022-10-01", "2021-03-01"];
/// Resource Graph answers at most this many rows a page (`$top` is capped to it).
const GRAPH_MAX_TOP: usize = 1000;

/// One VM of an emulated subscription.
#[derive(Debug, Clone)]
pub struct EmuVm {
    /// Name.
    pub name: String,
    /// Resource group.
    pub rg: String,
    /// Subscription id.
    pub subscription: String,
    /// `running`, `stopped`, `deallocated`, `starting`, `stopping`, `deallocating`, `unknown`.
    pub power: String,
    /// Public IP, if any.
    pub public_ip: Option<String>,
    /// Private IP, if any.
    pub private_ip: Option<String>,
    /// Admin user (in `osProfile`).
    pub admin: String,
    /// Whether the model has an `osProfile` (a VM from a specialised disk has none).
    pub os_profile: bool,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// A secondary NIC, listed before the primary one in the VM's network profile.
    pub secondary_nic_first: bool,
    /// The primary NIC's first IP configuration is an IPv6 one (the IPv4 one is primary).
    pub ipv6_first: bool,
    /// The VM's references spell the ids differently (`resourcegroups`, upper-case group).
    pub odd_case_refs: bool,
    /// The VM belongs to a VMSS Flex (`virtualMachineScaleSet` reference).
    pub vmss_flex: bool,
    /// A public IP resource that has no `ipAddress` (dynamic, deallocated).
    pub public_ip_unassigned: bool,
}

impl EmuVm {
    /// A running VM with a public and a private IP in the default subscription.
    pub fn new(name: &str, rg: &str) -> EmuVm {
        EmuVm {
            name: name.to_string(),
            rg: rg.to_string(),
            subscription: SUB.to_string(),
            power: "running".to_string(),
            public_ip: Some("20.0.0.1".to_string()),
            private_ip: Some("10.0.0.1".to_string()),
            admin: "azureuser".to_string(),
            os_profile: true,
            tags: BTreeMap::new(),
            secondary_nic_first: false,
            ipv6_first: false,
            odd_case_refs: false,
            vmss_flex: false,
            public_ip_unassigned: false,
        }
    }

    fn group_path(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}",
            self.subscription, self.rg
        )
    }
    fn id(&self) -> String {
        format!(
            "{}/providers/Microsoft.Compute/virtualMachines/{}",
            self.group_path(),
            self.name
        )
    }
    fn nic_id(&self) -> String {
        format!(
            "{}/providers/Microsoft.Network/networkInterfaces/{}-nic",
            self.group_path(),
            self.name
        )
    }
    fn secondary_nic_id(&self) -> String {
        format!(
            "{}/providers/Microsoft.Network/networkInterfaces/{}-nic2",
            self.group_path(),
            self.name
        )
    }
    fn pip_id(&self) -> String {
        format!(
            "{}/providers/Microsoft.Network/publicIPAddresses/{}-ip",
            self.group_path(),
            self.name
        )
    }
    /// How a reference to `id` is spelled in another resource.
    fn reference(&self, id: &str) -> String {
        if self.odd_case_refs {
            id.replace("/resourceGroups/", "/resourcegroups/").replace(
                &format!("/{}/", self.rg),
                &format!("/{}/", self.rg.to_uppercase()),
            )
        } else {
            id.to_string()
        }
    }
    fn has_pip(&self) -> bool {
        self.public_ip.is_some() || self.public_ip_unassigned
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

/// How the Tags API answers a write (all three are documented).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TagsAnswer {
    /// 200 with the resource's tags.
    #[default]
    Tags,
    /// 202 Accepted, no body, a `Location` to poll (the change is applied when the
    /// operation ends).
    Accepted,
    /// 200 with `{"properties":{}}`.
    EmptyProperties,
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
    /// Items per page of ARM lists.
    pub page_size: usize,
    /// Tokens answered with 401 ExpiredAuthenticationToken.
    pub expired: HashSet<String>,
    /// Faults to apply to the next requests.
    pub faults: VecDeque<Fault>,
    /// Every request.
    pub seen: Vec<Seen>,
    /// Added to every response (benchmarks: a network's round trip).
    pub latency: Duration,
    /// How Tags API writes are answered.
    pub tags_answer: TagsAnswer,
    /// Tag writes answered 202 and not done yet (applied when a poll finds them done).
    pub pending: Vec<PendingTags>,
}

/// A tag write answered `202 Accepted`: applied on the second poll of its operation, so
/// that a client reading the tags before the operation ends sees the old ones.
#[derive(Debug, Clone)]
pub struct PendingTags {
    /// The VM's id.
    pub vm_id: String,
    /// Its tags once the operation is done.
    pub tags: BTreeMap<String, String>,
    /// Polls so far.
    pub polls: u32,
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

    /// Sends one request straight to the emulator (with a valid token), as any client
    /// could; (status, body or `Null`).
    pub fn raw(&self, method: &str, target: &str, body: &str) -> (u16, Value) {
        let addr = self.endpoint.trim_start_matches("http://");
        let mut s = TcpStream::connect(addr).expect("connect emulator");
        let req = format!(
            "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer SECRET-TOKEN-raw\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).unwrap();
        let mut text = String::new();
        let mut reader = BufReader::new(s);
        let mut status_line = String::new();
        reader.read_line(&mut status_line).unwrap();
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let mut len = 0usize;
        loop {
            let mut h = String::new();
            reader.read_line(&mut h).unwrap();
            if h.trim_end().is_empty() {
                break;
            }
            if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
        let mut buf = vec![0; len];
        reader.read_exact(&mut buf).unwrap();
        text.push_str(&String::from_utf8_lossy(&buf));
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Changes the tags of VM `name` behind azlin's back (the portal, another tool).
    pub fn set_tag_outside(&self, name: &str, key: &str, value: &str) {
        let mut st = self.state.lock().unwrap();
        let vm = st.vms.iter_mut().find(|v| v.name == name).unwrap();
        vm.tags.insert(key.to_string(), value.to_string());
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
                (code, extra, Some(payload))
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
        // A long-running operation says where to follow it.
        let extra = if status == 202 {
            let n = state.lock().unwrap().pending.len();
            format!(
                "{extra}Location: {base}/providers/Microsoft.Resources/operations/tags-{n}?api-version={}\r\nRetry-After: 0\r\n",
                TAGS_APIS[0]
            )
        } else {
            extra
        };
        record(state, &method, &target, &body, status);
        let text = payload.map(|p| p.to_string()).unwrap_or_default();
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

fn err(code: &str, msg: &str) -> Option<Value> {
    Some(json!({"error": {"code": code, "message": msg}}))
}

/// The query's parameters, in order, as sent (not decoded: the emulator checks spelling).
fn params(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// 400 unless every parameter is one of `allowed` and `api-version` is one of `apis`.
fn check_query(
    params: &[(String, String)],
    allowed: &[&str],
    apis: &[&str],
    what: &str,
) -> Result<(), (u16, Option<Value>)> {
    for (k, _) in params {
        if k != "api-version" && !allowed.contains(&k.as_str()) {
            return Err((
                400,
                err(
                    "InvalidQueryParameter",
                    &format!("The query parameter '{k}' is not supported by {what}."),
                ),
            ));
        }
    }
    let api = params
        .iter()
        .find(|(k, _)| k == "api-version")
        .map(|(_, v)| v.as_str());
    match api {
        Some(a) if apis.contains(&a) => Ok(()),
        Some(a) => Err((
            400,
            err(
                "NoRegisteredProviderFound",
                &format!(
                    "No registered resource provider found for API version '{a}' and type \
                     '{what}'. The supported api-versions are '{}'.",
                    apis.join(", ")
                ),
            ),
        )),
        None => Err((
            400,
            err(
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            ),
        )),
    }
}

fn handle(
    state: &Mutex<State>,
    method: &str,
    target: &str,
    headers: &BTreeMap<String, String>,
    body: &str,
    base: &str,
) -> (u16, Option<Value>) {
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
    let params = params(query);
    if path.eq_ignore_ascii_case("/providers/Microsoft.ResourceGraph/resources") {
        if method != "POST" {
            return (
                405,
                err("MethodNotAllowed", "Resource Graph queries are POSTs"),
            );
        }
        if let Err(e) = check_query(&params, &[], GRAPH_APIS, "resources") {
            return e;
        }
        return graph(&st, body);
    }
    if let Some(n) = path
        .strip_prefix("/providers/Microsoft.Resources/operations/tags-")
        .and_then(|n| n.parse::<usize>().ok())
    {
        if let Err(e) = check_query(&params, &[], TAGS_APIS, "operations") {
            return e;
        }
        let Some(op) = n.checked_sub(1).and_then(|i| st.pending.get_mut(i)) else {
            return (404, err("OperationNotFound", "no such operation"));
        };
        op.polls += 1;
        if op.polls < 2 {
            return (202, None);
        }
        let (id, tags) = (op.vm_id.clone(), op.tags.clone());
        if let Some(vm) = st.vms.iter_mut().find(|v| v.id() == id) {
            vm.tags = tags;
        }
        return (200, Some(json!({"status": "Succeeded"})));
    }
    const TAGS: &str = "/providers/microsoft.resources/tags/default";
    if path.to_ascii_lowercase().ends_with(TAGS) {
        if let Err(e) = check_query(&params, &[], TAGS_APIS, "tags") {
            return e;
        }
        let scope = &path[..path.len() - TAGS.len()];
        let answer = st.tags_answer;
        let Some(at) = st
            .vms
            .iter()
            .position(|v| v.id().eq_ignore_ascii_case(scope))
        else {
            return (
                404,
                err(
                    "ResourceNotFound",
                    &format!("The resource '{scope}' was not found."),
                ),
            );
        };
        // The write is worked out on a copy: a 202 applies it only when its operation ends.
        let mut copy = st.vms[at].clone();
        let reply = tags(&mut copy, method, body, answer, &format!("{scope}{TAGS}"));
        if reply.0 == 202 {
            st.pending.push(PendingTags {
                vm_id: copy.id(),
                tags: copy.tags,
                polls: 0,
            });
        } else {
            st.vms[at] = copy;
        }
        return reply;
    }
    if method != "GET" {
        return (405, err("MethodNotAllowed", "no such operation"));
    }
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (sub, rg, kind) = match segs.as_slice() {
        ["subscriptions", sub, "providers", ns, ty] => (*sub, None, format!("{ns}/{ty}")),
        ["subscriptions", sub, g, rg, "providers", ns, ty]
            if g.eq_ignore_ascii_case("resourceGroups") =>
        {
            (*sub, Some(*rg), format!("{ns}/{ty}"))
        }
        _ => return (404, err("NotFound", "no such route")),
    };
    if !sub.eq_ignore_ascii_case(SUB)
        && !st
            .vms
            .iter()
            .any(|v| v.subscription.eq_ignore_ascii_case(sub))
    {
        return (
            404,
            err(
                "SubscriptionNotFound",
                &format!("The subscription '{sub}' could not be found."),
            ),
        );
    }
    let vms: Vec<&EmuVm> = st
        .vms
        .iter()
        .filter(|v| v.subscription.eq_ignore_ascii_case(sub))
        .filter(|v| rg.is_none_or(|g| g.eq_ignore_ascii_case(&v.rg)))
        .collect();
    let has = |k: &str| params.iter().any(|(p, _)| p == k);
    let value_of = |k: &str| params.iter().find(|(p, _)| p == k).map(|(_, v)| v.as_str());
    // (items, name of the page-token parameter, an empty page first?)
    let (items, token_param, empty_first): (Vec<Value>, &str, bool) = match kind
        .to_ascii_lowercase()
        .as_str()
    {
        "microsoft.compute/virtualmachines" => {
            // VirtualMachines_ListAll takes statusOnly; VirtualMachines_List does not.
            let allowed: &[&str] = if rg.is_none() {
                &["statusOnly", "$filter", "$expand", "%24skiptoken"]
            } else {
                &["$filter", "$expand", "%24skiptoken"]
            };
            if let Err(e) = check_query(&params, allowed, COMPUTE_APIS, "virtualMachines") {
                return e;
            }
            if value_of("$expand").is_some() && !has("$filter") {
                return (
                    400,
                    err(
                        "InvalidParameter",
                        "The $expand=instanceView parameter can only be specified if a \
                             valid $filter option is specified.",
                    ),
                );
            }
            if has("$filter") {
                // The only documented filter is `virtualMachineScaleSet/id eq …`.
                return (
                    400,
                    err("InvalidParameter", "this emulator serves no VMSS filter"),
                );
            }
            let status_only = match value_of("statusOnly") {
                None => false,
                Some("true") => true,
                Some(other) => {
                    return (
                        400,
                        err(
                            "InvalidParameter",
                            &format!("statusOnly must be true, not '{other}'"),
                        ),
                    );
                }
            };
            let items = vms
                .iter()
                .map(|v| {
                    if status_only {
                        vm_status(v)
                    } else {
                        vm_model(v)
                    }
                })
                .collect();
            (items, "%24skiptoken", false)
        }
        "microsoft.network/networkinterfaces" => {
            if let Err(e) = check_query(&params, &["$skipToken"], NETWORK_APIS, "networkInterfaces")
            {
                return e;
            }
            let items = vms.iter().flat_map(|v| nics(v)).collect();
            (items, "$skipToken", true)
        }
        "microsoft.network/publicipaddresses" => {
            if let Err(e) = check_query(&params, &["$skipToken"], NETWORK_APIS, "publicIPAddresses")
            {
                return e;
            }
            let items = vms.iter().filter(|v| v.has_pip()).map(|v| pip(v)).collect();
            (items, "$skipToken", false)
        }
        _ => return (404, err("InvalidResourceType", "no such resource type")),
    };
    let page_size = st.page_size.max(1);
    // Page n (0-based) of the listing; with an empty first page, page 0 holds nothing.
    let page_no = match value_of(token_param) {
        None => 0,
        Some(t) => match decode_token(t) {
            Some(n) => n,
            None => return (400, err("InvalidSkipToken", "the skip token is not valid")),
        },
    };
    let data_page = if empty_first {
        page_no.checked_sub(1)
    } else {
        Some(page_no)
    };
    let page: Vec<Value> = match data_page {
        None => Vec::new(),
        Some(p) => items
            .iter()
            .skip(p * page_size)
            .take(page_size)
            .cloned()
            .collect(),
    };
    let shown = data_page.map_or(0, |p| (p + 1) * page_size);
    let mut out = json!({ "value": page });
    if shown < items.len() {
        // Absolute, with the original parameters and the token appended.
        let keep: Vec<String> = params
            .iter()
            .filter(|(k, _)| k != token_param)
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        out["nextLink"] = Value::String(format!(
            "{base}{path}?{}&{token_param}={}",
            keep.join("&"),
            encode_token(page_no + 1)
        ));
    }
    drop(st);
    (200, Some(out))
}

/// Page tokens are opaque to clients; these are hex of `page:N`.
fn encode_token(page: usize) -> String {
    format!("page:{page}")
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn decode_token(token: &str) -> Option<usize> {
    let bytes: Option<Vec<u8>> = (0..token.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(token.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?)
        .ok()?
        .strip_prefix("page:")?
        .parse()
        .ok()
}

/// The model of a VM as VirtualMachines_ListAll/List return it: no instance view.
fn vm_model(v: &EmuVm) -> Value {
    let mut nics = vec![json!({
        "id": v.reference(&v.nic_id()),
        "properties": {"primary": true, "deleteOption": "Delete"}
    })];
    if v.secondary_nic_first {
        nics.insert(
            0,
            json!({"id": v.reference(&v.secondary_nic_id()), "properties": {"primary": false}}),
        );
    }
    let mut props = json!({
        "vmId": format!("{:08x}-0000-4000-8000-{:012x}", fnv(&v.id()), fnv(&v.name)),
        "hardwareProfile": {"vmSize": "Standard_D2s_v5"},
        "storageProfile": {
            "imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"},
            "osDisk": {"osType": "Linux", "name": format!("{}_OsDisk_1", v.name), "createOption": "FromImage",
                       "caching": "ReadWrite", "managedDisk": {"storageAccountType": "Premium_LRS"}, "deleteOption": "Delete"},
            "dataDisks": []
        },
        "networkProfile": {"networkInterfaces": nics},
        "provisioningState": "Succeeded",
        "timeCreated": "2024-01-14T16:43:41.683Z"
    });
    if v.os_profile {
        props["osProfile"] = json!({
            "computerName": v.name,
            "adminUsername": v.admin,
            "linuxConfiguration": {"disablePasswordAuthentication": true, "provisionVMAgent": true},
            "secrets": [],
            "allowExtensionOperations": true
        });
    } else {
        // Attached from a specialised disk: no osProfile, and no osType on the image.
        props["storageProfile"]["osDisk"]["createOption"] = json!("Attach");
    }
    if v.vmss_flex {
        props["virtualMachineScaleSet"] = json!({"id": v.reference(&format!(
            "{}/providers/Microsoft.Compute/virtualMachineScaleSets/flex1",
            v.group_path()
        ))});
        props["platformFaultDomain"] = json!(1);
    }
    json!({
        "id": v.id(),
        "name": v.name,
        "type": "Microsoft.Compute/virtualMachines",
        "location": "eastus",
        "tags": v.tags,
        "properties": props
    })
}

/// A VM as `statusOnly=true` returns it: the instance view and little else.
fn vm_status(v: &EmuVm) -> Value {
    let display = match v.power.as_str() {
        "running" => "VM running",
        "stopped" => "VM stopped",
        "deallocated" => "VM deallocated",
        "starting" => "VM starting",
        "stopping" => "VM stopping",
        "deallocating" => "VM deallocating",
        _ => "VM status unknown",
    };
    json!({
        "id": v.reference(&v.id()),
        "name": v.name,
        "properties": {"instanceView": {
            "computerName": v.name,
            "statuses": [
                {"code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded",
                 "time": "2024-01-14T16:44:10.000Z"},
                {"code": format!("PowerState/{}", v.power), "level": "Info", "displayStatus": display}
            ]
        }}
    })
}

fn nics(v: &EmuVm) -> Vec<Value> {
    let vm_ref = json!({"id": v.reference(&v.id())});
    let mut v4 = json!({"privateIPAddress": v.private_ip, "privateIPAllocationMethod": "Dynamic",
                        "primary": true, "privateIPAddressVersion": "IPv4", "provisioningState": "Succeeded"});
    if v.private_ip.is_none() {
        v4.as_object_mut().unwrap().remove("privateIPAddress");
    }
    if v.has_pip() {
        v4["publicIPAddress"] = json!({"id": v.reference(&v.pip_id())});
    }
    let mut configs = vec![json!({
        "name": "ipconfig1",
        "id": format!("{}/ipConfigurations/ipconfig1", v.nic_id()),
        "properties": v4
    })];
    if v.ipv6_first {
        configs.insert(
            0,
            json!({
                "name": "ipconfig-v6",
                "id": format!("{}/ipConfigurations/ipconfig-v6", v.nic_id()),
                "properties": {"privateIPAddress": "fd00::4", "privateIPAddressVersion": "IPv6",
                               "primary": false, "privateIPAllocationMethod": "Dynamic"}
            }),
        );
    }
    let primary = json!({
        "id": v.nic_id(),
        "name": format!("{}-nic", v.name),
        "type": "Microsoft.Network/networkInterfaces",
        "location": "eastus",
        "properties": {"provisioningState": "Succeeded", "ipConfigurations": configs,
                       "primary": true, "virtualMachine": vm_ref, "macAddress": "00-0D-3A-1B-C7-21"}
    });
    let mut out = vec![primary];
    if v.secondary_nic_first {
        out.push(json!({
            "id": v.secondary_nic_id(),
            "name": format!("{}-nic2", v.name),
            "type": "Microsoft.Network/networkInterfaces",
            "location": "eastus",
            "properties": {"provisioningState": "Succeeded", "primary": false, "virtualMachine": vm_ref,
                "ipConfigurations": [{"name": "ipconfig1", "properties": {"privateIPAddress": "10.99.0.4",
                    "primary": true, "privateIPAddressVersion": "IPv4"}}]}
        }));
    }
    out
}

fn pip(v: &EmuVm) -> Value {
    let mut props = json!({
        "provisioningState": "Succeeded",
        "publicIPAddressVersion": "IPv4",
        "publicIPAllocationMethod": if v.public_ip_unassigned { "Dynamic" } else { "Static" },
        "idleTimeoutInMinutes": 4,
        "ipConfiguration": {"id": format!("{}/ipConfigurations/ipconfig1", v.reference(&v.nic_id()))}
    });
    if let (Some(ip), false) = (&v.public_ip, v.public_ip_unassigned) {
        props["ipAddress"] = json!(ip);
    }
    json!({"id": v.pip_id(), "name": format!("{}-ip", v.name), "type": "Microsoft.Network/publicIPAddresses",
           "location": "eastus", "properties": props})
}

/// A stable hash for ids (FNV-1a, 32 bits).
fn fnv(s: &str) -> u32 {
    s.bytes().fold(0x811c9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x01000193)
    })
}

/// Azure's tag rules: names 1–512 characters without `< > % & \ ? /`, values ≤ 256.
fn tag_problem(tags: &BTreeMap<String, String>) -> Option<String> {
    tags.iter().find_map(|(k, v)| {
        if k.is_empty() || k.chars().count() > 512 {
            Some(format!("The tag name '{k}' has an invalid length."))
        } else if k.chars().any(|c| "<>%&\\?/".contains(c)) {
            Some(format!(
                "The tag name '{k}' has invalid characters '<,>,%,&,\\,?,/'."
            ))
        } else if v.chars().count() > 256 {
            Some(format!(
                "The tag value of '{k}' is longer than 256 characters."
            ))
        } else {
            None
        }
    })
}

/// The Tags API on one VM: GET (GetAtScope), PUT (CreateOrUpdateAtScope), PATCH
/// (UpdateAtScope with `Merge`, `Replace` or `Delete`).
fn tags(
    vm: &mut EmuVm,
    method: &str,
    body: &str,
    answer: TagsAnswer,
    id: &str,
) -> (u16, Option<Value>) {
    let resource = |vm: &EmuVm| {
        Some(
            json!({"id": id, "name": "default", "type": "Microsoft.Resources/tags",
                    "properties": {"tags": vm.tags}}),
        )
    };
    if method == "GET" {
        return (200, resource(vm));
    }
    let Ok(req) = serde_json::from_str::<Value>(body) else {
        return (
            400,
            err(
                "InvalidRequestContent",
                "The request content was invalid and could not be deserialized.",
            ),
        );
    };
    let Some(given) = req
        .pointer("/properties/tags")
        .and_then(|t| serde_json::from_value::<BTreeMap<String, String>>(t.clone()).ok())
    else {
        return (
            400,
            err(
                "InvalidRequestContent",
                "properties.tags must be an object of strings",
            ),
        );
    };
    if let Some(problem) = tag_problem(&given) {
        return (400, err("InvalidTagNameCharacters", &problem));
    }
    match (method, req.get("operation").and_then(Value::as_str)) {
        ("PUT", None) | ("PATCH", Some("Replace")) => vm.tags = given,
        ("PATCH", Some("Merge")) => vm.tags.extend(given),
        ("PATCH", Some("Delete")) => {
            for (k, v) in given {
                if vm.tags.get(&k) == Some(&v) || v.is_empty() {
                    vm.tags.remove(&k);
                }
            }
        }
        _ => {
            return (
                400,
                err(
                    "InvalidOperation",
                    "operation must be Merge, Replace or Delete",
                ),
            );
        }
    }
    match answer {
        TagsAnswer::Tags => (200, resource(vm)),
        TagsAnswer::Accepted => (202, None),
        TagsAnswer::EmptyProperties => (200, Some(json!({"properties": {}}))),
    }
}

/// Columns the emulated Resource Graph can compute for a VM row, each with the documented
/// property path the query must read it from (a query that projects a column without
/// reading its source is answered with a 400, as KQL fails on an unresolved name).
const GRAPH_COLUMNS: &[(&str, &[&str])] = &[
    ("id", &[]),
    ("name", &[]),
    ("resourceGroup", &[]),
    ("subscriptionId", &[]),
    ("location", &[]),
    ("tags", &[]),
    ("vmId", &["properties.vmId"]),
    ("adminUser", &["properties.osProfile.adminUsername"]),
    ("osType", &["properties.storageProfile.osDisk.osType"]),
    (
        "powerState",
        &["properties.extended.instanceView.powerState.code"],
    ),
    (
        "privateIp",
        &[
            "microsoft.network/networkinterfaces",
            "ipConfigurations",
            "privateIPAddress",
        ],
    ),
    (
        "publicIp",
        &[
            "microsoft.network/publicipaddresses",
            "publicIPAddress.id",
            "properties.ipAddress",
        ],
    ),
];

/// `POST /providers/Microsoft.ResourceGraph/resources`: checks the request body as the
/// service does and answers a VM query with one row per VM of the asked subscriptions.
fn graph(st: &State, body: &str) -> (u16, Option<Value>) {
    let bad = |msg: &str| (400, err("BadRequest", msg));
    let Ok(req) = serde_json::from_str::<Value>(body) else {
        return bad("The request content was invalid and could not be deserialized.");
    };
    let Some(query) = req
        .get("query")
        .and_then(Value::as_str)
        .filter(|q| !q.trim().is_empty())
    else {
        return bad("The request must contain a non-empty 'query' string.");
    };
    let subscriptions: Option<Vec<String>> = match req.get("subscriptions") {
        None => None,
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => Some(
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_lowercase))
                .collect(),
        ),
        Some(_) => return bad("'subscriptions' must be an array of subscription ids."),
    };
    let options = req.get("options").cloned().unwrap_or(json!({}));
    if !options.is_object() {
        return bad("'options' must be an object.");
    }
    let top = match options.get("$top") {
        None => 100,
        Some(t) => match t.as_u64() {
            Some(n) if (1..=GRAPH_MAX_TOP as u64).contains(&n) => n as usize,
            _ => return bad("'$top' must be an integer from 1 to 1000."),
        },
    };
    if let Some(f) = options.get("resultFormat")
        && f != "objectArray"
        && f != "table"
    {
        return bad("'resultFormat' must be 'table' or 'objectArray'.");
    }
    let skip = match options.get("$skipToken") {
        None => 0,
        Some(t) => match t.as_str().and_then(decode_token) {
            Some(n) => n,
            None => return bad("The $skipToken is not valid."),
        },
    };
    // The one query shape answered: VMs from `Resources`, projected at the end.
    let lower = query.to_ascii_lowercase();
    if !lower.trim_start().starts_with("resources")
        || !lower.contains("microsoft.compute/virtualmachines")
    {
        return bad("This emulator answers VM queries on the Resources table only.");
    }
    let Some(last) = query
        .rsplit("| project ")
        .next()
        .filter(|_| lower.contains("| project "))
    else {
        return bad("The query must end with a `project` of its columns.");
    };
    let mut columns = Vec::new();
    for part in split_top_level(last) {
        let name = part.split('=').next().unwrap_or("").trim().to_string();
        let Some((_, sources)) = GRAPH_COLUMNS.iter().find(|(c, _)| *c == name) else {
            return bad(&format!(
                "Query is invalid: Failed to resolve scalar expression named '{name}'."
            ));
        };
        if let Some(missing) = sources
            .iter()
            .find(|s| !lower.contains(&s.to_ascii_lowercase()))
        {
            return bad(&format!(
                "Query is invalid: column '{name}' does not read '{missing}'."
            ));
        }
        columns.push(name);
    }
    let vms: Vec<&EmuVm> = st
        .vms
        .iter()
        .filter(|v| {
            subscriptions
                .as_ref()
                .is_none_or(|s| s.contains(&v.subscription.to_lowercase()))
        })
        .collect();
    let data: Vec<Value> = vms
        .iter()
        .skip(skip)
        .take(top)
        .map(|v| {
            let mut row = serde_json::Map::new();
            for c in &columns {
                row.insert(c.clone(), graph_cell(v, c));
            }
            Value::Object(row)
        })
        .collect();
    let mut out = json!({
        "totalRecords": vms.len(),
        "count": data.len(),
        "resultTruncated": "false",
        "facets": [],
        "data": data
    });
    if skip + top < vms.len() {
        out["$skipToken"] = json!(encode_token(skip + top));
    }
    (200, Some(out))
}

/// The value of one projected column for `v`.
fn graph_cell(v: &EmuVm, column: &str) -> Value {
    match column {
        "id" => json!(v.id()),
        "name" => json!(v.name),
        // Resource Graph gives resource groups and subscriptions in lower case.
        "resourceGroup" => json!(v.rg.to_lowercase()),
        "subscriptionId" => json!(v.subscription.to_lowercase()),
        "location" => json!("eastus"),
        "tags" => json!(v.tags),
        "vmId" => vm_model(v)["properties"]["vmId"].clone(),
        "adminUser" if v.os_profile => json!(v.admin),
        "osType" => json!("Linux"),
        "powerState" => json!(format!("PowerState/{}", v.power)),
        "privateIp" => json!(v.private_ip),
        "publicIp" if !v.public_ip_unassigned => json!(v.public_ip),
        _ => Value::Null,
    }
}

/// Splits `a, b = f(x, y), c` at the commas outside brackets.
fn split_top_level(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth) = (Vec::new(), String::new(), 0i32);
    for ch in s.chars() {
        match ch {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out.into_iter().map(|c| c.trim().to_string()).collect()
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
        super::plugin::write_executable(&path, &script);
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

/// A throwaway home, the ARM emulator serving `vms` (`page_size` to a page) and the fake
/// `az` on the home's PATH: the set-up of the Azure tests.
pub fn azure(vms: Vec<EmuVm>, page_size: usize) -> (super::Home, Arm, FakeAz) {
    let home = super::Home::new();
    let arm = Arm::start(vms, page_size);
    let az = FakeAz::install(&home.path().join("fake-bin"));
    (home, arm, az)
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
