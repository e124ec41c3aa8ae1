//! Benchmark: list 1,000 Azure VMs from the ARM emulator with 20 ms added to every
//! request, as `azlin resolve --refresh` does, against a resolve from the cache; and list
//! 3 subscriptions × 1,000 VMs through the emulated Resource Graph
//! (`azlin list --all-subscriptions --refresh`).
//!
//! Run: `cargo bench -p azlin-bin --bench azure-list` (env `PAGE_SIZE`, default 500;
//! `LATENCY_MS`, default 20; `RUNS`, default 7). Targets (issue 13): requests at most
//! twice the pages plus 2, and ≤ 1 s, per listing of 1,000 VMs; ≤ 4 Resource Graph
//! requests for 3 × 1,000.
//! "Pages" are the pages the emulator served for one listing (the four list operations,
//! the empty first NIC page included); the VM pages (⌈1000 / PAGE_SIZE⌉) are printed too.
//! Prints the numbers of this run, then one `BENCH {json}` line that `bench/run`
//! collects; asserts nothing.

#[path = "../tests/e2e/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::Home;
use support::arm::{Arm, EmuVm, FakeAz, SUB, ok};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn fleet(subscription: &str, prefix: &str) -> Vec<EmuVm> {
    (0..1000)
        .map(|i| {
            let mut v = EmuVm::new(&format!("{prefix}{i:04}"), "rg");
            v.subscription = subscription.to_string();
            v.public_ip = (i % 3 != 0).then(|| format!("20.0.{}.{}", i / 256, i % 256));
            v.private_ip = Some(format!("10.0.{}.{}", i / 256, i % 256));
            v.power = ["running", "stopped", "deallocated"][i % 3].to_string();
            v
        })
        .collect()
}

fn main() {
    let page = env_or("PAGE_SIZE", 500) as usize;
    let latency = Duration::from_millis(env_or("LATENCY_MS", 20));
    let runs = env_or("RUNS", 7).max(1) as usize;
    let home = Home::new();
    let arm = Arm::start(fleet(SUB, "vm"), page);
    arm.state.lock().unwrap().latency = latency;
    let az = FakeAz::install(&home.path().join("fake-bin"));

    let mut listing = Vec::new();
    let mut requests = Vec::new();
    let mut pages = Vec::new();
    for _ in 0..runs {
        let before = arm.seen().len();
        let t = Instant::now();
        ok(&home, &arm, &az, &["resolve", "vm0999", "--refresh"]);
        listing.push(t.elapsed());
        let seen = arm.seen();
        requests.push(seen.len() - before);
        pages.push(seen[before..].iter().filter(|s| s.status == 200).count());
    }
    let mut cached = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        ok(&home, &arm, &az, &["resolve", "vm0999"]);
        cached.push(t.elapsed());
    }

    // 3 subscriptions × 1,000 VMs through Resource Graph, same latency.
    let subs = [
        SUB,
        "00000000-0000-0000-0000-0000000000bb",
        "00000000-0000-0000-0000-0000000000cc",
    ];
    let graph_vms = subs
        .iter()
        .enumerate()
        .flat_map(|(i, s)| fleet(s, &format!("s{i}vm")))
        .collect();
    let graph_home = Home::new();
    let graph = Arm::start(graph_vms, page);
    graph.state.lock().unwrap().latency = latency;
    let graph_az = FakeAz::install(&graph_home.path().join("fake-bin"));
    let mut graph_ms = Vec::new();
    let mut graph_requests = Vec::new();
    for _ in 0..runs {
        let before = graph.requests();
        let t = Instant::now();
        let out = ok(
            &graph_home,
            &graph,
            &graph_az,
            &[
                "list",
                "--all-subscriptions",
                "--all",
                "--no-tmux",
                "--format",
                "json",
                "--refresh",
            ],
        );
        graph_ms.push(t.elapsed());
        graph_requests.push(graph.requests() - before);
        assert!(
            out.matches("\"hostname\"").count() == 3000,
            "the listing is complete"
        );
    }

    let ms = |v: &[Duration]| {
        v.iter()
            .map(|d| d.as_secs_f64() * 1000.0)
            .collect::<Vec<_>>()
    };
    let vm_pages = 1000usize.div_ceil(page);
    let line = format!(
        r#"{{"vms":1000,"page_size":{page},"vm_pages":{vm_pages},"latency_ms":{},"runs":{runs},"requests":{requests:?},"pages":{pages:?},"listing_ms":{:?},"cached_ms":{:?},"graph_vms":3000,"graph_requests":{graph_requests:?},"graph_ms":{:?}}}"#,
        latency.as_millis(),
        ms(&listing),
        ms(&cached),
        ms(&graph_ms)
    );
    let (l, c, g) = (median(listing), median(cached), median(graph_ms));
    println!(
        "azure-list: 1000 VMs, page size {page} ({vm_pages} VM pages), {latency:?} per request, {runs} runs"
    );
    println!(
        "  requests per listing: {requests:?}; pages served: {pages:?} (target: requests <= 2 x pages + 2)"
    );
    println!("  listing (resolve --refresh), median: {l:?} (target <= 1s)");
    println!("  resolve from the cache, median:      {c:?}");
    println!(
        "  ratio listing / cached: {:.1}",
        l.as_secs_f64() / c.as_secs_f64()
    );
    println!(
        "  Resource Graph, 3 x 1000 VMs: requests {graph_requests:?} (target <= 4), median {g:?}"
    );
    println!("BENCH {line}");
}
