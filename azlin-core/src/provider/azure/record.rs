//! What azlin keeps of an Azure VM (in the cache), and how it becomes an inventory VM.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::AzureSettings;
use crate::inventory::{PowerState, ProviderKind, Vm};
use crate::{name, ssh};

/// The tag holding a VM's label (`azlin session VM NAME`).
pub const LABEL_TAG: &str = "azlin_session";
/// The upstream tool's spelling of the label tag, read as well.
pub const UPSTREAM_LABEL_TAG: &str = "azlin-session";
/// The tag naming the jump host(s) for a VM without a public IP.
pub const PROXY_JUMP_TAG: &str = "azlin_proxy_jump";

/// What to tell a user about an Azure VM that has no address azlin can use.
pub const NO_ROUTE_HINT: &str = "the VM has no public IP, and no jump host is set for its \
     private IP: set `proxy_jump` under `[azure]` in config.toml or the VM tag \
     `azlin_proxy_jump`, or give the VM a public IP (a deallocated VM may have lost its \
     dynamic IP: start it)";

/// One Azure VM as listed and joined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzureVm {
    /// The VM's name.
    pub name: String,
    /// The ARM resource id (`/subscriptions/…/virtualMachines/NAME`).
    pub arm_id: String,
    /// The VM's `vmId`, stable across renames of its resources.
    #[serde(default)]
    pub vm_id: Option<String>,
    /// Resource group.
    #[serde(default)]
    pub resource_group: String,
    /// Region.
    #[serde(default)]
    pub location: Option<String>,
    /// `Linux` or `Windows`.
    #[serde(default)]
    pub os: Option<String>,
    /// The admin user from the OS profile.
    #[serde(default)]
    pub admin_user: Option<String>,
    /// Public IP of the primary NIC, if any.
    #[serde(default)]
    pub public_ip: Option<String>,
    /// Private IP of the primary NIC, if any.
    #[serde(default)]
    pub private_ip: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Power state.
    pub power: PowerState,
}

impl AzureVm {
    /// The subscription id, from the resource id.
    pub fn subscription(&self) -> Option<String> {
        super::listing::segment_after(&self.arm_id, "subscriptions")
    }

    /// The label: `azlin_session`, else the upstream `azlin-session`, when valid.
    pub fn label(&self) -> Option<String> {
        [LABEL_TAG, UPSTREAM_LABEL_TAG]
            .iter()
            .filter_map(|k| self.tags.get(*k))
            .find(|v| name::validate_label(v).is_ok())
            .cloned()
    }

    /// The inventory record, or `None` when the name cannot be used as an identifier (a
    /// hostile or exotic name never reaches resolution or an ssh config).
    ///
    /// Address: the public IP; else the private IP reached through the jump host from the
    /// `azlin_proxy_jump` tag or `[azure] proxy_jump`; else none ("no route").
    pub fn to_vm(&self, settings: &AzureSettings) -> Option<Vm> {
        name::validate_vm_name(&self.name).ok()?;
        let valid_ip =
            |ip: &Option<String>| ip.clone().filter(|a| ssh::validate_host_address(a).is_ok());
        let public = valid_ip(&self.public_ip);
        let private = valid_ip(&self.private_ip);
        let jump = self
            .tags
            .get(PROXY_JUMP_TAG)
            .cloned()
            .or_else(|| settings.proxy_jump.clone())
            .filter(|j| ssh::validate_proxy_jump(j).is_ok());
        let (address, proxy_jump) = match (public, private, jump) {
            (Some(p), _, _) => (Some(p), None),
            (None, Some(p), Some(j)) => (Some(p), Some(j)),
            _ => (None, None),
        };
        let id = self
            .vm_id
            .clone()
            .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or_else(|| format!("{}.{}", self.resource_group, self.name).to_lowercase());
        Some(Vm {
            name: self.name.clone(),
            provider: ProviderKind::Azure,
            id,
            address,
            port: ssh::DEFAULT_PORT,
            user: self
                .admin_user
                .clone()
                .filter(|u| ssh::validate_user(u).is_ok()),
            identity_file: None,
            proxy_jump,
            label: self.label(),
            tags: self.tags.clone(),
            power: self.power,
            region: self.location.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vm() -> AzureVm {
        AzureVm {
            name: "web1".into(),
            arm_id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web1".into(),
            vm_id: Some("0000-1111".into()),
            resource_group: "rg".into(),
            location: Some("westeurope".into()),
            os: Some("Linux".into()),
            admin_user: Some("azureuser".into()),
            public_ip: None,
            private_ip: Some("10.0.0.5".into()),
            tags: BTreeMap::new(),
            power: PowerState::Running,
        }
    }

    #[test]
    fn private_only_needs_a_jump_host() {
        let mut v = vm();
        let none = v.to_vm(&AzureSettings::default()).unwrap();
        assert_eq!(none.address, None);
        let settings = AzureSettings {
            proxy_jump: Some("ops@bastion".into()),
            ..AzureSettings::default()
        };
        let via_config = v.to_vm(&settings).unwrap();
        assert_eq!(via_config.address.as_deref(), Some("10.0.0.5"));
        assert_eq!(via_config.proxy_jump.as_deref(), Some("ops@bastion"));
        v.tags.insert(PROXY_JUMP_TAG.into(), "jump2".into());
        assert_eq!(
            v.to_vm(&settings).unwrap().proxy_jump.as_deref(),
            Some("jump2")
        );
        v.public_ip = Some("20.1.2.3".into());
        let public = v.to_vm(&settings).unwrap();
        assert_eq!(public.address.as_deref(), Some("20.1.2.3"));
        assert_eq!(public.proxy_jump, None);
        assert_eq!(public.id, "0000-1111");
    }

    #[test]
    fn labels_from_both_spellings_and_hostile_values_dropped() {
        let mut v = vm();
        v.tags.insert(UPSTREAM_LABEL_TAG.into(), "old".into());
        assert_eq!(v.label().as_deref(), Some("old"));
        v.tags.insert(LABEL_TAG.into(), "new".into());
        assert_eq!(v.label().as_deref(), Some("new"));
        v.tags.insert(LABEL_TAG.into(), "bad\nHost *".into());
        assert_eq!(v.label().as_deref(), Some("old"));
        v.tags
            .insert(PROXY_JUMP_TAG.into(), "x\nProxyCommand evil".into());
        assert_eq!(v.to_vm(&AzureSettings::default()).unwrap().proxy_jump, None);
        v.name = "bad name".into();
        assert!(v.to_vm(&AzureSettings::default()).is_none());
    }
}
