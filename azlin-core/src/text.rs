//! Placeholder of the untrusted-text rule for this branch (the real module comes with
//! the untrusted-output work): control characters are shown as escapes.

use std::borrow::Cow;

/// `value` with control characters escaped, backslashes doubled.
pub fn escape(value: &str) -> Cow<'_, str> {
    if !value.chars().any(|c| c == '\\' || c.is_control()) {
        return Cow::Borrowed(value);
    }
    Cow::Owned(
        value
            .chars()
            .flat_map(|c| {
                if c == '\\' {
                    "\\\\".chars().collect::<Vec<_>>()
                } else {
                    c.escape_debug().collect()
                }
            })
            .collect(),
    )
}

/// A message azlin composed: line breaks and backslashes stay, other controls escaped.
pub fn escape_message(message: &str) -> Cow<'_, str> {
    if !message.chars().any(|c| c != '\n' && c.is_control()) {
        return Cow::Borrowed(message);
    }
    Cow::Owned(
        message
            .chars()
            .flat_map(|c| {
                if c == '\n' {
                    vec![c]
                } else if c.is_control() {
                    c.escape_debug().collect()
                } else {
                    vec![c]
                }
            })
            .collect(),
    )
}
