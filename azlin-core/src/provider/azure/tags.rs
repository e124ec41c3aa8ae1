//! The Tags API: `PATCH {vm}/providers/Microsoft.Resources/tags/default` with `Merge` to
//! add or change tags and `Delete` to remove them. Other tags are left alone, and the VM
//! itself is not updated (no VM write permission needed, no model drift).
//!
//! The answer to a write is not always the tags: later API versions answer `202 Accepted`
//! with no body (the operation is then followed to its end), and the published example of
//! UpdateAtScope answers `{"properties":{}}`. Then the tags are read back (GetAtScope), so
//! that the cache holds what Azure holds and never an empty map in place of the real tags.

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
    let query = format!("api-version={TAGS_API}");
    let answer = arm.patch(&path, &query, &body).await?;
    if let Some(tags) = tags_of(&answer.body) {
        return Ok(tags);
    }
    if answer.status == 202 {
        arm.wait_for(&answer).await?;
    }
    let read = arm.get(&path, &query).await?;
    tags_of(&read).ok_or_else(|| AzureError::BadResponse {
        url: path,
        reason: "the Tags API answered without `properties.tags`".to_string(),
    })
}

/// The `properties.tags` of a Tags API response, when it holds them.
fn tags_of(resp: &Value) -> Option<BTreeMap<String, String>> {
    resp.pointer("/properties/tags")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_answer_with_tags_counts_as_the_tags() {
        assert_eq!(tags_of(&Value::Null), None);
        assert_eq!(tags_of(&json!({"properties": {}})), None);
        let t = tags_of(&json!({"properties": {"tags": {"Cost Center": "42"}}})).unwrap();
        assert_eq!(t.get("Cost Center").map(String::as_str), Some("42"));
        assert_eq!(
            tags_of(&json!({"properties": {"tags": {}}})),
            Some(BTreeMap::new())
        );
    }
}
