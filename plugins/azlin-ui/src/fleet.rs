//! The fleet as the dashboard shows it: one row per VM × session (a VM without sessions,
//! or one that could not be asked, is one row of its own), read from azlin's JSON.
//!
//! `azlin list --format json` gives one object per VM × session, where a VM without
//! sessions is one object with `"session": null`; `azlin list --vms --format json` gives
//! one object per VM with a `sessions` array. Both are read. Everything here came from
//! VMs and providers: it is kept exactly (escaped only when drawn) and bounded in size.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::Value;

/// At most this many rows are kept from one listing (a hostile or broken azlin answer
/// must not grow the dashboard's memory without bound).
pub const MAX_ROWS: usize = 20_000;
/// At most this many characters of any one text field are kept.
pub const MAX_FIELD: usize = 256;

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The VM.
    pub vm: String,
    /// The tmux session; `None` for a VM with no session to show.
    pub session: Option<String>,
    /// The VM's state as azlin reports it: `Running`, `Stopped`, `Unreachable`, …
    pub status: String,
    /// The session's label, else the VM's.
    pub label: Option<String>,
    /// Attached clients (azlin's `clients`; from an azlin without it, `attached` as 1 or 0).
    pub clients: Option<u32>,
    /// Windows in the session.
    pub windows: Option<u32>,
    /// Unix time of the session's last activity (azlin's `last_activity`, RFC 3339), when
    /// azlin's JSON says.
    pub last_activity: Option<u64>,
    /// Why the VM could not be asked, or what azlin said about it.
    pub error: Option<String>,
}

impl Row {
    /// `vm:session`, or `vm` for a row without a session.
    pub fn compound(&self) -> String {
        match &self.session {
            Some(s) => format!("{}:{s}", self.vm),
            None => self.vm.clone(),
        }
    }

    /// Whether the VM is up and answered (a session row can be acted on).
    pub fn is_running(&self) -> bool {
        self.status == "Running"
    }
}

/// Reads the JSON array that `azlin list --format json` (or `list --vms --format json`)
/// printed.
pub fn parse_list(json: &[u8]) -> Result<Vec<Row>> {
    let items: Vec<Value> =
        serde_json::from_slice(json).context("azlin's list is not a JSON array")?;
    let mut rows = Vec::new();
    for item in items {
        if rows.len() >= MAX_ROWS {
            break;
        }
        let Some(obj) = item.as_object() else {
            bail!("azlin's list holds something that is not an object: {item}");
        };
        let vm = text(obj.get("hostname"))
            .or_else(|| text(obj.get("name")))
            .context("a row of azlin's list has no `hostname`")?;
        let status = text(obj.get("status")).unwrap_or_else(|| "-".to_string());
        let vm_label = text(obj.get("vm_label"));
        let error = text(obj.get("error"));
        let base = Row {
            vm,
            session: None,
            status,
            label: vm_label.clone(),
            clients: None,
            windows: None,
            last_activity: None,
            error,
        };
        match obj.get("sessions") {
            // `list --vms`: the VM with its sessions, names or objects.
            Some(Value::Array(sessions)) if !sessions.is_empty() => {
                for s in sessions.iter().take(MAX_ROWS - rows.len()) {
                    let mut row = base.clone();
                    if s.is_string() {
                        row.session = text(Some(s));
                    } else {
                        fill_session(&mut row, s);
                        if row.label.is_none() {
                            row.label = vm_label.clone();
                        }
                    }
                    rows.push(row);
                }
            }
            Some(Value::Array(_)) => rows.push(base),
            _ => {
                let mut row = base;
                fill_session(&mut row, &item);
                rows.push(row);
            }
        }
    }
    Ok(rows)
}

/// The session fields of one JSON object (a `list` row, or an element of `sessions`).
fn fill_session(row: &mut Row, v: &Value) {
    row.session = text(v.get("session")).or_else(|| text(v.get("name")));
    if row.session.is_none() {
        return;
    }
    if let Some(label) = text(v.get("session_name")).or_else(|| text(v.get("label"))) {
        row.label = Some(label);
    }
    row.clients = count(v.get("clients")).or_else(|| match v.get("attached") {
        Some(Value::Bool(b)) => Some(u32::from(*b)),
        other => count(other),
    });
    row.windows = count(v.get("windows"));
    row.last_activity = v.get("last_activity").and_then(unix_time);
}

/// A count, saturated at `u32::MAX`; `None` when absent or not a whole number.
fn count(v: Option<&Value>) -> Option<u32> {
    v.and_then(Value::as_u64)
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

/// Unix seconds of an RFC 3339 time (azlin's form, `2026-12-01T09:41:02Z`), or of a
/// number of seconds; `None` for anything else (it is shown as unknown).
fn unix_time(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => humantime::parse_rfc3339(s)
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .map(|d| d.as_secs()),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// A string field, bounded; `None` when absent, null or not a string.
fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(|s| crate::escape::bounded(s, MAX_FIELD))
}

/// What `azlin peek --format json` says of one session.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Peeked {
    /// `vm:session`.
    pub compound: String,
    /// The pane's last lines.
    #[serde(default)]
    pub lines: Vec<String>,
    /// When they were read (RFC 3339, UTC).
    #[serde(default)]
    pub captured_at: Option<String>,
    /// Why the pane could not be read.
    #[serde(default)]
    pub error: Option<String>,
}

/// At most this many lines of one pane are kept, each cut to [`MAX_LINE`] characters.
pub const MAX_LINES: usize = 500;
/// See [`MAX_LINES`].
pub const MAX_LINE: usize = 1_000;

/// Reads the JSON array that `azlin peek --format json` printed.
pub fn parse_peek(json: &[u8]) -> Result<Vec<Peeked>> {
    let mut items: Vec<Peeked> =
        serde_json::from_slice(json).context("azlin's peek is not the JSON it documents")?;
    items.truncate(MAX_ROWS);
    for item in &mut items {
        let skip = item.lines.len().saturating_sub(MAX_LINES);
        item.lines.drain(..skip);
        for line in &mut item.lines {
            if line.chars().count() > MAX_LINE {
                *line = crate::escape::bounded(line, MAX_LINE);
            }
        }
        item.compound = crate::escape::bounded(&item.compound, 2 * MAX_FIELD + 1);
        item.error = item
            .error
            .as_deref()
            .map(|e| crate::escape::bounded(e, MAX_LINE));
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_rows_with_and_without_sessions() {
        let json = br#"[
          {"hostname":"vm1","session":"dev","status":"Running","session_name":"api",
           "attached":true,"windows":2,"vm_label":null,"error":null},
          {"hostname":"vm1","session":"build","status":"Running","session_name":null,
           "attached":false,"windows":1,"vm_label":null,"error":null},
          {"hostname":"vm2","session":null,"status":"Unreachable","session_name":"gpu",
           "attached":null,"windows":null,"vm_label":"gpu","error":"ssh: connect refused"},
          {"hostname":"vm3","session":null,"status":"Stopped","vm_label":null}
        ]"#;
        let rows = parse_list(json).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0].compound(), "vm1:dev");
        assert_eq!(rows[0].label.as_deref(), Some("api"));
        assert_eq!(rows[0].clients, Some(1));
        assert_eq!(rows[1].clients, Some(0));
        assert_eq!(rows[0].windows, Some(2));
        assert_eq!(rows[2].session, None);
        assert_eq!(rows[2].label.as_deref(), Some("gpu"));
        assert_eq!(rows[2].error.as_deref(), Some("ssh: connect refused"));
        assert_eq!(rows[3].status, "Stopped");
        assert!(!rows[3].is_running());
    }

    #[test]
    fn list_vms_shape_is_read_too() {
        let json = br#"[
          {"hostname":"vm1","status":"Running","vm_label":"box","sessions":[
             {"session":"dev","attached":true,"clients":2,"windows":3,"session_name":null,
              "last_activity":"2023-11-14T22:13:20Z"},
             {"name":"ci","attached":true,"last_activity":null}]},
          {"hostname":"vm2","status":"Running","sessions":["a"]},
          {"hostname":"vm3","status":"Running","sessions":[]}
        ]"#;
        let rows = parse_list(json).unwrap();
        let names: Vec<String> = rows.iter().map(Row::compound).collect();
        assert_eq!(names, ["vm1:dev", "vm1:ci", "vm2:a", "vm3"]);
        assert_eq!(rows[0].label.as_deref(), Some("box"));
        assert_eq!(rows[0].clients, Some(2));
        assert_eq!(rows[0].last_activity, Some(1_700_000_000));
        assert_eq!(rows[1].label.as_deref(), Some("box"));
        // An azlin without `clients` says whether: 1 or 0.
        assert_eq!((rows[1].clients, rows[1].last_activity), (Some(1), None));
    }

    #[test]
    fn bad_lists_are_errors_and_huge_fields_are_bounded() {
        assert!(parse_list(b"not json").is_err());
        assert!(parse_list(br#"[1]"#).is_err());
        assert!(parse_list(br#"[{"session":"x"}]"#).is_err());
        let long = "x".repeat(10_000);
        let json = format!(r#"[{{"hostname":"{long}","session":"s","status":"Running"}}]"#);
        let rows = parse_list(json.as_bytes()).unwrap();
        assert_eq!(rows[0].vm.chars().count(), MAX_FIELD);
    }

    #[test]
    fn activity_and_clients_that_are_no_time_or_count_are_unknown() {
        let json = br#"[{"hostname":"vm1","status":"Running","sessions":[
             {"session":"a","clients":-1,"last_activity":"yesterday"},
             {"session":"b","clients":"2","last_activity":"2023-11-14T22:13:20+01:00"},
             {"session":"c","clients":99999999999,"last_activity":{"t":1}},
             {"session":"d","last_activity":"99999-01-01T00:00:00Z"}]}]"#;
        let rows = parse_list(json).unwrap();
        assert_eq!(rows.len(), 4);
        for r in &rows {
            assert_eq!(r.last_activity, None, "{r:?}");
        }
        assert_eq!(rows[0].clients, None);
        assert_eq!(rows[1].clients, None);
        assert_eq!(rows[2].clients, Some(u32::MAX));
    }

    #[test]
    fn peek_items_are_read_and_bounded() {
        let lines: Vec<String> = (0..600).map(|i| format!("l{i}")).collect();
        let json = serde_json::json!([
            {"compound":"vm1:dev","vm":"vm1","session":"dev","pane":"%0",
             "lines":lines,"captured_at":"2026-01-01T00:00:00Z","error":null},
            {"compound":"vm1:x","vm":"vm1","session":"x","pane":null,
             "lines":[],"captured_at":"2026-01-01T00:00:00Z","error":"no such session"}
        ]);
        let items = parse_peek(json.to_string().as_bytes()).unwrap();
        assert_eq!(items[0].lines.len(), MAX_LINES);
        assert_eq!(items[0].lines.last().unwrap(), "l599");
        assert_eq!(items[1].error.as_deref(), Some("no such session"));
        assert!(parse_peek(b"{}").is_err());
    }
}
