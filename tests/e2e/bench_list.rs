//! The `list` fan-out benchmark, run by `bench/list-fanout` (ignored in the normal test
//! run: it measures, and tests never assert on wall-clock speed).

use std::time::{Duration, Instant};

use crate::support::Home;
use crate::support::fleet::Fleet;

/// Median wall time of `runs` runs of `azlin list` in `home`, checking each listing.
fn time_list(home: &Home, runs: usize, vms: usize, jobs: &str) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let out = home.ok(&["list", "--format", "json", "--jobs", jobs]);
            let took = started.elapsed();
            let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(rows.as_array().unwrap().len(), vms, "one session per VM");
            took
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn fleet_of(n: usize) -> (Home, Fleet) {
    let home = Home::new();
    let names: Vec<String> = (1..=n).map(|i| format!("vm{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let fleet = Fleet::start(&home, &refs);
    for name in &refs {
        fleet.vm(name).new_session("work", None);
    }
    (home, fleet)
}

#[test]
#[ignore = "benchmark: run bench/list-fanout"]
fn bench_list_fanout() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(7);
    let (one_home, _one) = fleet_of(1);
    let (eight_home, _eight) = fleet_of(8);
    for share in [false, true] {
        // Without shared connections every run pays the full ssh handshake; with them
        // (the default) later runs reuse the ControlMaster of the first.
        let label = if share {
            "shared connections"
        } else {
            "fresh connections"
        };
        let clear = |home: &Home| {
            let _ = std::fs::remove_dir_all(home.path().join(".ssh/cm"));
            if !share {
                // A file where the directory would be: azlin then shares nothing.
                std::fs::create_dir_all(home.path().join(".ssh")).unwrap();
                std::fs::write(home.path().join(".ssh/cm"), "").unwrap();
            }
        };
        clear(&one_home);
        clear(&eight_home);
        let t1 = time_list(&one_home, runs, 1, "16");
        let t8 = time_list(&eight_home, runs, 8, "16");
        // The same 8 VMs one at a time: what the fan-out saves.
        let serial = time_list(&eight_home, runs, 8, "1");
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "list, {label}: 1 VM {:.0} ms; 8 VMs {:.0} ms concurrent (ratio {:.2}), \
             {:.0} ms with --jobs 1 (ratio {:.2}); median of {runs}",
            ms(t1),
            ms(t8),
            ms(t8) / ms(t1),
            ms(serial),
            ms(serial) / ms(t1)
        );
        let _ = std::fs::remove_file(one_home.path().join(".ssh/cm"));
        let _ = std::fs::remove_file(eight_home.path().join(".ssh/cm"));
    }
}
