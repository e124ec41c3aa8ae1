//! Listing: VMs (with their power state), network interfaces and public IPs of the scope,
//! three paged list operations run side by side and joined locally. The number of
//! requests grows with pages, never with VMs.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::Value;

use super::arm::Arm;
use super::record::AzureVm;
use super::scope::Scope;
use super::{AzureError, DEFAULT_ARM_ENDPOINT};
use crate::inventory::PowerState;

/// API versions of the list operations.
pub const COMPUTE_API: &str = "2024-07-01";
/// Microsoft.Network API version.
pub const NETWORK_API: &str = "2024-05-01";

#[derive(Debug, Deserialize)]
struct Resource<P> {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    tags: Option<BTreeMap<String, String>>,
    properties: Option<P>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VmProps {
    #[serde(default)]
    vm_id: Option<String>,
    #[serde(default)]
    os_profile: Option<OsProfile>,
    #[serde(default)]
    storage_profile: Option<StorageProfile>,
    #[serde(default)]
    network_profile: Option<NetworkProfile>,
    #[serde(default)]
    instance_view: Option<InstanceView>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OsProfile {
    #[serde(default)]
    admin_username: Option<String>,
    #[serde(default)]
    linux_configuration: Option<Value>,
    #[serde(default)]
    windows_configuration: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StorageProfile {
    #[serde(default)]
    os_disk: Option<OsDisk>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OsDisk {
    #[serde(default)]
    os_type: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NetworkProfile {
    #[serde(default)]
    network_interfaces: Vec<NicRef>,
}

#[derive(Debug, Default, Deserialize)]
struct NicRef {
    #[serde(default)]
    id: String,
    #[serde(default)]
    properties: Option<Primary>,
}

#[derive(Debug, Default, Deserialize)]
struct Primary {
    #[serde(default)]
    primary: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
struct InstanceView {
    #[serde(default)]
    statuses: Vec<Status>,
}

#[derive(Debug, Default, Deserialize)]
struct Status {
    #[serde(default)]
    code: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NicProps {
    #[serde(default)]
    ip_configurations: Vec<Resource<IpConfigProps>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IpConfigProps {
    #[serde(default, rename = "privateIPAddress")]
    private_ip_address: Option<String>,
    #[serde(default, rename = "publicIPAddress")]
    public_ip_address: Option<IdRef>,
    #[serde(default)]
    primary: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
struct IdRef {
    #[serde(default)]
    id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PublicIpProps {
    #[serde(default)]
    ip_address: Option<String>,
}

/// Lists the VMs of `scope` with their addresses: one paged listing each of VMs, NICs and
/// public IPs, concurrently.
pub async fn list_vms(arm: &Arm, scope: &Scope) -> Result<Vec<AzureVm>, AzureError> {
    // A subscription-wide listing takes `statusOnly=true` for the power state; a
    // resource-group listing takes `$expand=instanceView`. Either way one request a page.
    let vm_query = match scope.resource_group {
        Some(_) => format!("api-version={COMPUTE_API}&$expand=instanceView"),
        None => format!("api-version={COMPUTE_API}&statusOnly=true"),
    };
    let net_query = format!("api-version={NETWORK_API}");
    let vm_path = scope.list_path("Microsoft.Compute/virtualMachines");
    let nic_path = scope.list_path("Microsoft.Network/networkInterfaces");
    let pip_path = scope.list_path("Microsoft.Network/publicIPAddresses");
    let (vms, nics, pips) = tokio::join!(
        arm.list(&vm_path, &vm_query),
        arm.list(&nic_path, &net_query),
        arm.list(&pip_path, &net_query),
    );
    join(vms?, nics?, pips?, &vm_path)
}

/// Joins the three listings: VM → primary NIC → primary IP configuration → public IP.
fn join(
    vms: Vec<Value>,
    nics: Vec<Value>,
    pips: Vec<Value>,
    vm_path: &str,
) -> Result<Vec<AzureVm>, AzureError> {
    let bad = |reason: String| AzureError::BadResponse {
        url: format!("{DEFAULT_ARM_ENDPOINT}{vm_path}"),
        reason,
    };
    let public_ips: HashMap<String, String> = pips
        .into_iter()
        .filter_map(|v| serde_json::from_value::<Resource<PublicIpProps>>(v).ok())
        .filter_map(|r| Some((r.id.to_lowercase(), r.properties?.ip_address?)))
        .collect();
    // NIC id → (private IP, public IP) of its primary IP configuration.
    let nic_ips: HashMap<String, (Option<String>, Option<String>)> = nics
        .into_iter()
        .filter_map(|v| serde_json::from_value::<Resource<NicProps>>(v).ok())
        .map(|nic| {
            let configs = nic
                .properties
                .map(|p| p.ip_configurations)
                .unwrap_or_default();
            let primary = configs
                .iter()
                .find(|c| c.properties.as_ref().and_then(|p| p.primary) == Some(true))
                .or_else(|| configs.first())
                .and_then(|c| c.properties.as_ref());
            let ips = match primary {
                Some(p) => (
                    p.private_ip_address.clone(),
                    p.public_ip_address
                        .as_ref()
                        .and_then(|r| public_ips.get(&r.id.to_lowercase()).cloned()),
                ),
                None => (None, None),
            };
            (nic.id.to_lowercase(), ips)
        })
        .collect();
    let mut out = Vec::with_capacity(vms.len());
    for value in vms {
        let vm: Resource<VmProps> = serde_json::from_value(value)
            .map_err(|e| bad(format!("a VM record is malformed: {e}")))?;
        let props = vm.properties.unwrap_or_default();
        let nic = props.network_profile.as_ref().and_then(|n| {
            n.network_interfaces
                .iter()
                .find(|r| r.properties.as_ref().and_then(|p| p.primary) == Some(true))
                .or_else(|| n.network_interfaces.first())
        });
        let (private_ip, public_ip) = nic
            .and_then(|r| nic_ips.get(&r.id.to_lowercase()).cloned())
            .unwrap_or((None, None));
        let os = props
            .storage_profile
            .as_ref()
            .and_then(|s| s.os_disk.as_ref())
            .and_then(|d| d.os_type.clone())
            .or_else(|| {
                let p = props.os_profile.as_ref()?;
                if p.linux_configuration.is_some() {
                    Some("Linux".to_string())
                } else if p.windows_configuration.is_some() {
                    Some("Windows".to_string())
                } else {
                    None
                }
            });
        let power = props
            .instance_view
            .as_ref()
            .map(|iv| power_state(&iv.statuses))
            .unwrap_or(PowerState::Other);
        out.push(AzureVm {
            resource_group: resource_group_of(&vm.id).unwrap_or_default(),
            arm_id: vm.id,
            name: vm.name,
            vm_id: props.vm_id,
            location: vm.location,
            os,
            admin_user: props.os_profile.and_then(|p| p.admin_username),
            public_ip,
            private_ip,
            tags: vm.tags.unwrap_or_default(),
            power,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The power state from instance view statuses (`PowerState/running`, …).
fn power_state(statuses: &[Status]) -> PowerState {
    let code = statuses
        .iter()
        .find_map(|s| s.code.strip_prefix("PowerState/"))
        .map(str::to_ascii_lowercase);
    match code.as_deref() {
        Some("running") => PowerState::Running,
        Some("stopped") => PowerState::Stopped,
        Some("deallocated") => PowerState::Deallocated,
        _ => PowerState::Other,
    }
}

/// The resource group segment of an ARM id.
pub fn resource_group_of(id: &str) -> Option<String> {
    let mut parts = id.split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case("resourceGroups") {
            return parts.next().map(str::to_string);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn joins_vm_nic_and_public_ip_case_insensitively() {
        let vms = vec![json!({
            "id": "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/a",
            "name": "a", "location": "westeurope", "tags": {"azlin_session": "x"},
            "properties": {
                "vmId": "v-a",
                "osProfile": {"adminUsername": "azureuser", "linuxConfiguration": {}},
                "networkProfile": {"networkInterfaces": [
                    {"id": "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/networkInterfaces/OTHER"},
                    {"id": "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/networkInterfaces/NIC-A", "properties": {"primary": true}}]},
                "instanceView": {"statuses": [{"code": "ProvisioningState/succeeded"}, {"code": "PowerState/deallocated"}]}
            }
        })];
        let nics = vec![json!({
            "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic-a",
            "properties": {"ipConfigurations": [{"properties": {"privateIPAddress": "10.0.0.4", "primary": true,
                "publicIPAddress": {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/PIP"}}}]}
        })];
        let pips = vec![json!({
            "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip",
            "properties": {"ipAddress": "20.0.0.1"}
        })];
        let out = join(vms, nics, pips, "/x").unwrap();
        assert_eq!(out.len(), 1);
        let a = &out[0];
        assert_eq!(a.private_ip.as_deref(), Some("10.0.0.4"));
        assert_eq!(a.public_ip.as_deref(), Some("20.0.0.1"));
        assert_eq!(a.power, PowerState::Deallocated);
        assert_eq!(a.os.as_deref(), Some("Linux"));
        assert_eq!(a.resource_group, "RG");
        assert_eq!(a.admin_user.as_deref(), Some("azureuser"));
    }
}
