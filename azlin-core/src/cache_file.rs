//! JSON files that are only caches (the session cache, the Azure listing, plugin
//! metadata, the ssh-config stamp, the ssh client's probe): one way to read them, where a
//! missing, unreadable or damaged file is no file at all, since the next run rewrites
//! it. Writes go through [`crate::persist::write_json`], atomically.

use std::path::Path;

use serde::de::DeserializeOwned;

/// The cache at `path`, or `None` when it is missing, unreadable or not a `T`.
pub fn read<T: DeserializeOwned>(path: &Path) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The cache at `path`, or an empty one (`T::default()`) when there is none to read.
pub fn read_or_default<T: DeserializeOwned + Default>(path: &Path) -> T {
    read(path).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_damaged_cache_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.json");
        assert_eq!(read::<Vec<u32>>(&file), None);
        std::fs::write(&file, "[1, 2").unwrap();
        assert_eq!(read_or_default::<Vec<u32>>(&file), Vec::<u32>::new());
        std::fs::write(&file, "[1, 2]").unwrap();
        assert_eq!(read::<Vec<u32>>(&file), Some(vec![1, 2]));
    }
}
