//! End-to-end tests: the real `azlin` binary in a throwaway `HOME` and `AZLIN_HOME`.
//!
//! One test binary (faster to link than one per file); each concern is a module.

mod azure_commands;
mod azure_graph;
mod azure_inventory;
mod azure_resilience;
mod azure_shapes;
mod azure_tags;
mod bench_list;
mod bench_pane;
mod bench_reconnect;
mod bench_ui;
mod diagnostics;
mod fault_inputs;
mod faults;
mod guides;
mod host_cmd;
mod hostile_text;
mod plugin_dispatch;
mod plugin_help;
mod plugin_lookup;
mod plugin_shipped;
mod resolve_cmd;
mod sessions_connect;
mod sessions_exec;
mod sessions_fleet;
mod sessions_list;
mod sessions_login_shells;
mod sessions_pane;
mod sessions_reconnect;
mod sessions_roundtrips;
mod ssh_config_capture;
mod ssh_config_files;
mod ssh_config_safety;
mod ssh_config_sshd;
mod support;
mod terminal_completions;
mod terminal_man;
mod terminal_progress;
mod terminal_tables;
mod ui_dashboard;
