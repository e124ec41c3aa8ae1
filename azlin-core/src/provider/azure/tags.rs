//! The Tags API: `PATCH {vm}/providers/Microsoft.Resources/tags/default` with `Merge` to
//! add or change tags and `Delete` to remove them. Other tags are left alone, and the VM
//! itself is not updated (no VM write permission needed, no model drift).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::AzureError;
use super::arm::Arm;

/// API version of Microsoft.Resources/tags.
pub const TAGS_API: &str = "2021-04-01";

/// What a tag change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagOperation {
    /// Add or replace the given tags.
    Merge,
    /// Remove the given tags.
    Delete,
}

/// Applies `operation` with `tags` to the resource `arm_id`; the resource's tags after it.
pub async fn patch_tags(
    arm: &Arm,
    arm_id: &str,
    operation: TagOperation,
    tags: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, AzureError> {
    let path = format!("{arm_id}/providers/Microsoft.Resources/tags/default");
    let op = match operation {
        TagOperation::Merge => "Merge",
        TagOperation::Delete => "Delete",
    };
    let body = json!({ "operation": op, "properties": { "tags": tags } });
    let resp = arm
        .patch(&path, &format!("api-version={TAGS_API}"), &body)
        .await?;
    Ok(tags_of(&resp))
}

/// The `properties.tags` of a Tags API response (empty when absent).
fn tags_of(resp: &Value) -> BTreeMap<String, String> {
    resp.pointer("/properties/tags")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}
