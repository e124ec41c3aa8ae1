//! Many subscriptions at once through Azure Resource Graph: one paged
//! `POST /providers/Microsoft.ResourceGraph/resources` query that joins VMs to their
//! primary NIC and its public IP, with the power state Resource Graph keeps in
//! `properties.extended.instanceView.powerState.code`. Up to 1,000 rows a page, so 3
//! subscriptions × 1,000 VMs cost 3 requests.
//!
//! The query follows Resource Graph's documented `Resources` table and its sample
//! "list virtual machines with their network interface and public IP"; ids are joined
//! lower-cased because references and resources may differ in case.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use serde_json::{Value, json};

use super::AzureError;
use super::arm::Arm;
use super::listing::resource_group_of;
use super::record::AzureVm;
use crate::inventory::PowerState;

/// API version of Microsoft.ResourceGraph.
pub const GRAPH_API: &str = "2024-04-01";
/// The path of the query operation.
pub const GRAPH_PATH: &str = "/providers/Microsoft.ResourceGraph/resources";
/// Rows a page (the service's maximum).
const PAGE_ROWS: u32 = 1000;
/// Pages followed at most: a bound on memory whatever the service answers.
const MAX_PAGES: usize = 1000;

/// The KQL query: one row per VM with its addresses and power state.
pub const VM_QUERY: &str = "Resources
| where type =~ 'microsoft.compute/virtualmachines'
| extend nics = array_length(properties.networkProfile.networkInterfaces)
| mv-expand nic = properties.networkProfile.networkInterfaces
| where nics == 1 or nic.properties.primary =~ 'true' or isempty(nic)
| project id, name, resourceGroup, subscriptionId, location, tags,
    vmId = tostring(properties.vmId),
    adminUser = tostring(properties.osProfile.adminUsername),
    osType = tostring(properties.storageProfile.osDisk.osType),
    powerState = tostring(properties.extended.instanceView.powerState.code),
    nicId = tolower(tostring(nic.id))
| join kind=leftouter (
    Resources
    | where type =~ 'microsoft.network/networkinterfaces'
    | extend configs = array_length(properties.ipConfigurations)
    | mv-expand ipconfig = properties.ipConfigurations
    | where configs == 1 or ipconfig.properties.primary =~ 'true'
    | project nicId = tolower(id),
        privateIp = tostring(ipconfig.properties.privateIPAddress),
        publicIpId = tolower(tostring(ipconfig.properties.publicIPAddress.id))
  ) on nicId
| join kind=leftouter (
    Resources
    | where type =~ 'microsoft.network/publicipaddresses'
    | project publicIpId = tolower(id), publicIp = tostring(properties.ipAddress)
  ) on publicIpId
| project id, name, resourceGroup, subscriptionId, location, tags, vmId, adminUser, osType, powerState, privateIp, publicIp";

/// One row of [`VM_QUERY`].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    tags: Option<BTreeMap<String, String>>,
    #[serde(default)]
    vm_id: Option<String>,
    #[serde(default)]
    admin_user: Option<String>,
    #[serde(default)]
    os_type: Option<String>,
    #[serde(default)]
    power_state: Option<String>,
    #[serde(default)]
    private_ip: Option<String>,
    #[serde(default)]
    public_ip: Option<String>,
}

/// The VMs of `subscriptions` (every subscription the credential can read when empty).
pub async fn list_vms(arm: &Arm, subscriptions: &[String]) -> Result<Vec<AzureVm>, AzureError> {
    let query = format!("api-version={GRAPH_API}");
    let mut body = json!({
        "query": VM_QUERY,
        "options": {"$top": PAGE_ROWS, "resultFormat": "objectArray"}
    });
    if !subscriptions.is_empty() {
        body["subscriptions"] = json!(subscriptions);
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for _ in 0..MAX_PAGES {
        let page = arm.post(GRAPH_PATH, &query, &body).await?;
        let bad = |reason: &str| AzureError::BadResponse {
            url: GRAPH_PATH.to_string(),
            reason: reason.to_string(),
        };
        let data = match page.get("data") {
            Some(Value::Array(rows)) => rows,
            _ => return Err(bad("`data` is not an array of rows")),
        };
        for row in data {
            let Ok(row) = serde_json::from_value::<Row>(row.clone()) else {
                continue;
            };
            // A VM with several primary-looking rows after the joins is listed once.
            if seen.insert(row.id.to_lowercase()) {
                out.push(to_azure_vm(row));
            }
        }
        match page.get("$skipToken").and_then(Value::as_str) {
            Some(token) if !token.is_empty() => {
                body["options"]["$skipToken"] = json!(token);
            }
            _ => {
                out.sort_by(|a, b| a.name.cmp(&b.name));
                return Ok(out);
            }
        }
    }
    Err(AzureError::BadResponse {
        url: GRAPH_PATH.to_string(),
        reason: format!("more than {MAX_PAGES} pages; narrow it with `[azure] subscriptions`"),
    })
}

fn to_azure_vm(row: Row) -> AzureVm {
    let some = |v: Option<String>| v.filter(|s| !s.is_empty());
    AzureVm {
        // Resource Graph lower-cases `resourceGroup`; the id keeps the real spelling.
        resource_group: resource_group_of(&row.id).unwrap_or_default(),
        power: row
            .power_state
            .as_deref()
            .and_then(PowerState::from_azure_code)
            .unwrap_or(PowerState::Unknown),
        arm_id: row.id,
        name: row.name,
        vm_id: some(row.vm_id),
        location: some(row.location),
        os: some(row.os_type),
        admin_user: some(row.admin_user),
        public_ip: some(row.public_ip),
        private_ip: some(row.private_ip),
        tags: row.tags.unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_vms_with_empty_strings_as_none() {
        let row: Row = serde_json::from_value(json!({
            "id": "/subscriptions/S/resourceGroups/RG-Prod/providers/Microsoft.Compute/virtualMachines/a",
            "name": "a", "resourceGroup": "rg-prod", "tags": {"Cost Center": "1"},
            "adminUser": "", "powerState": "PowerState/stopping", "privateIp": "10.0.0.4", "publicIp": ""
        }))
        .unwrap();
        let vm = to_azure_vm(row);
        assert_eq!(vm.resource_group, "RG-Prod");
        assert_eq!(vm.power, PowerState::Stopping);
        assert_eq!(vm.admin_user, None);
        assert_eq!(vm.public_ip, None);
        assert_eq!(vm.private_ip.as_deref(), Some("10.0.0.4"));
    }
}
