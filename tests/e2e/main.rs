//! End-to-end tests: the real `azlin` binary in a throwaway `HOME` and `AZLIN_HOME`.
//!
//! One test binary (faster to link than one per file); each concern is a module.

mod azure_inventory;
mod azure_resilience;
mod azure_tags;
mod host_cmd;
mod resolve_cmd;
mod support;
