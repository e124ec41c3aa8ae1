//! Listing: the VM models, their power states, network interfaces and public IPs of the
//! scope, four paged list operations run side by side and joined locally by lower-cased
//! ARM id (ids differ in case between a reference and the resource). The number of
//! requests grows with pages, never with VMs.
//!
//! No documented list call returns both a VM's model and its power state: a plain list
//! (VirtualMachines_ListAll/List) carries tags, NICs and osProfile but no instance view;
//! `statusOnly=true` (ListAll only) carries the instance view and little else; and
//! `$expand=instanceView` is only allowed with a `$filter`. So the model comes from the
//! scope's plain list and the power from the subscription's `statusOnly` list.

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

const VM_TYPE: &str = "Microsoft.Compute/virtualMachines";

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
#[serde(rename_all = "camelCase")]
struct StatusProps {
    #[serde(default)]
    instance_view: Option<InstanceView>,
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
    #[serde(default, rename = "privateIPAddressVersion")]
    private_ip_address_version: Option<String>,
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

/// Lists the VMs of `scope` with their addresses and power states.
pub async fn list_vms(arm: &Arm, scope: &Scope) -> Result<Vec<AzureVm>, AzureError> {
    let model_query = format!("api-version={COMPUTE_API}");
    // `statusOnly` exists on VirtualMachines_ListAll only: a resource group's power
    // states are those of the subscription, kept for the group's VMs by the join.
    let status_query = format!("api-version={COMPUTE_API}&statusOnly=true");
    let net_query = format!("api-version={NETWORK_API}");
    let vm_path = scope.list_path(VM_TYPE);
    let status_path = scope.subscription_list_path(VM_TYPE);
    let nic_path = scope.list_path("Microsoft.Network/networkInterfaces");
    let pip_path = scope.list_path("Microsoft.Network/publicIPAddresses");
    let (models, statuses, nics, pips) = tokio::join!(
        arm.list(&vm_path, &model_query),
        arm.list(&status_path, &status_query),
        arm.list(&nic_path, &net_query),
        arm.list(&pip_path, &net_query),
    );
    join(models?, statuses?, nics?, pips?, &vm_path)
}

/// Joins the four listings: VM → primary NIC → primary IP configuration → public IP, and
/// VM → power state.
fn join(
    models: Vec<Value>,
    statuses: Vec<Value>,
    nics: Vec<Value>,
    pips: Vec<Value>,
    vm_path: &str,
) -> Result<Vec<AzureVm>, AzureError> {
    let bad = |reason: String| AzureError::BadResponse {
        url: format!("{DEFAULT_ARM_ENDPOINT}{vm_path}"),
        reason,
    };
    let powers: HashMap<String, PowerState> = statuses
        .into_iter()
        .filter_map(|v| serde_json::from_value::<Resource<StatusProps>>(v).ok())
        .map(|r| {
            let power = r
                .properties
                .and_then(|p| p.instance_view)
                .map(|iv| power_state(&iv.statuses))
                .unwrap_or(PowerState::Unknown);
            (r.id.to_lowercase(), power)
        })
        .collect();
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
            let ips = match primary_config(&configs) {
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
    let mut out = Vec::with_capacity(models.len());
    for value in models {
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
        out.push(AzureVm {
            resource_group: resource_group_of(&vm.id).unwrap_or_default(),
            power: powers
                .get(&vm.id.to_lowercase())
                .copied()
                .unwrap_or(PowerState::Unknown),
            arm_id: vm.id,
            name: vm.name,
            vm_id: props.vm_id,
            location: vm.location,
            os,
            admin_user: props.os_profile.and_then(|p| p.admin_username),
            public_ip,
            private_ip,
            tags: vm.tags.unwrap_or_default(),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The IP configuration azlin connects through: the primary one, else the first IPv4
/// one (an IPv6 configuration may come first), else the first.
fn primary_config(configs: &[Resource<IpConfigProps>]) -> Option<&IpConfigProps> {
    let props = || configs.iter().filter_map(|c| c.properties.as_ref());
    props()
        .find(|p| p.primary == Some(true))
        .or_else(|| {
            props().find(|p| {
                !p.private_ip_address_version
                    .as_deref()
                    .is_some_and(|v| v.eq_ignore_ascii_case("IPv6"))
            })
        })
        .or_else(|| props().next())
}

/// The power state from instance view statuses (`PowerState/running`, …).
fn power_state(statuses: &[Status]) -> PowerState {
    statuses
        .iter()
        .find_map(|s| PowerState::from_azure_code(&s.code))
        .unwrap_or(PowerState::Unknown)
}

/// The resource group segment of an ARM id.
pub fn resource_group_of(id: &str) -> Option<String> {
    segment_after(id, "resourceGroups")
}

/// The segment of an ARM id after `key` (`subscriptions`, `resourceGroups`), matched
/// case-insensitively as ARM does.
pub fn segment_after(id: &str, key: &str) -> Option<String> {
    let mut parts = id.split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case(key) {
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
    fn joins_model_status_nic_and_public_ip_case_insensitively() {
        let models = vec![json!({
            "id": "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/a",
            "name": "a", "location": "westeurope", "tags": {"azlin_session": "x"},
            "properties": {
                "vmId": "v-a",
                "osProfile": {"adminUsername": "azureuser", "linuxConfiguration": {}},
                "networkProfile": {"networkInterfaces": [
                    {"id": "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/networkInterfaces/OTHER"},
                    {"id": "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/networkInterfaces/NIC-A", "properties": {"primary": true}}]}
            }
        })];
        let statuses = vec![json!({
            "id": "/subscriptions/s/resourcegroups/rg/providers/Microsoft.Compute/virtualMachines/A",
            "properties": {"instanceView": {"statuses": [{"code": "ProvisioningState/succeeded"}, {"code": "PowerState/deallocating"}]}}
        })];
        let nics = vec![json!({
            "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic-a",
            "properties": {"ipConfigurations": [
                {"properties": {"privateIPAddress": "fd00::4", "privateIPAddressVersion": "IPv6"}},
                {"properties": {"privateIPAddress": "10.0.0.4", "primary": true,
                "publicIPAddress": {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/PIP"}}}]}
        })];
        let pips = vec![json!({
            "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip",
            "properties": {"ipAddress": "20.0.0.1"}
        })];
        let out = join(models, statuses, nics, pips, "/x").unwrap();
        assert_eq!(out.len(), 1);
        let a = &out[0];
        assert_eq!(a.private_ip.as_deref(), Some("10.0.0.4"));
        assert_eq!(a.public_ip.as_deref(), Some("20.0.0.1"));
        assert_eq!(a.power, PowerState::Deallocating);
        assert_eq!(a.os.as_deref(), Some("Linux"));
        assert_eq!(a.resource_group, "RG");
        assert_eq!(a.admin_user.as_deref(), Some("azureuser"));
        assert_eq!(a.tags.get("azlin_session").map(String::as_str), Some("x"));
    }

    #[test]
    fn a_vm_without_a_status_record_is_unknown_and_every_code_is_itself() {
        let models = vec![
            json!({"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/b", "name": "b"}),
        ];
        let out = join(models, vec![], vec![], vec![], "/x").unwrap();
        assert_eq!(out[0].power, PowerState::Unknown);
        for (code, state) in [
            ("PowerState/starting", PowerState::Starting),
            ("PowerState/stopping", PowerState::Stopping),
            ("powerstate/Running", PowerState::Running),
            ("PowerState/hibernated", PowerState::Unknown),
        ] {
            assert_eq!(PowerState::from_azure_code(code), Some(state), "{code}");
        }
        assert_eq!(
            PowerState::from_azure_code("ProvisioningState/succeeded"),
            None
        );
    }
}
