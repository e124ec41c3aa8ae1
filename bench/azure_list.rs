//! Benchmark: list 1,000 Azure VMs from the ARM emulator with 20 ms added to every
//! request, as `azlin resolve --refresh` does, and compare with a resolve from the cache.
//!
//! Run: `cargo bench -p azlin-bin --bench azure-list` (env `PAGE_SIZE`, default 500;
//! `LATENCY_MS`, default 20; `RUNS`, default 7). Target (issue 6): ≤ 10 requests and
//! ≤ 1 s per listing. Prints the numbers of this run, then one `BENCH {json}` line that
//! `bench/run` collects; asserts nothing.

#[path = "../tests/e2e/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::Home;
use support::arm::{Arm, EmuVm, FakeAz, ok};

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

fn main() {
    let page = env_or("PAGE_SIZE", 500) as usize;
    let latency = Duration::from_millis(env_or("LATENCY_MS", 20));
    let runs = env_or("RUNS", 7).max(1) as usize;
    let vms: Vec<EmuVm> = (0..1000)
        .map(|i| {
            let mut v = EmuVm::new(&format!("vm{i:04}"), "rg");
            v.public_ip = (i % 3 != 0).then(|| format!("20.0.{}.{}", i / 256, i % 256));
            v.private_ip = Some(format!("10.0.{}.{}", i / 256, i % 256));
            v.power = ["running", "stopped", "deallocated"][i % 3].to_string();
            v
        })
        .collect();
    let home = Home::new();
    let arm = Arm::start(vms, page);
    arm.state.lock().unwrap().latency = latency;
    let az = FakeAz::install(&home.path().join("fake-bin"));

    let mut listing = Vec::new();
    let mut requests = Vec::new();
    for _ in 0..runs {
        let before = arm.requests();
        let t = Instant::now();
        ok(&home, &arm, &az, &["resolve", "vm0999", "--refresh"]);
        listing.push(t.elapsed());
        requests.push(arm.requests() - before);
    }
    let mut cached = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        ok(&home, &arm, &az, &["resolve", "vm0999"]);
        cached.push(t.elapsed());
    }
    let ms = |v: &[Duration]| {
        v.iter()
            .map(|d| d.as_secs_f64() * 1000.0)
            .collect::<Vec<_>>()
    };
    let line = format!(
        r#"{{"vms":1000,"page_size":{page},"latency_ms":{},"runs":{runs},"requests":{requests:?},"listing_ms":{:?},"cached_ms":{:?}}}"#,
        latency.as_millis(),
        ms(&listing),
        ms(&cached)
    );
    let (l, c) = (median(listing), median(cached));
    println!("azure-list: 1000 VMs, page size {page}, {latency:?} per request, {runs} runs");
    println!("  requests per listing: {requests:?} (target <= 10)");
    println!("  listing (resolve --refresh), median: {l:?} (target <= 1s)");
    println!("  resolve from the cache, median:      {c:?}");
    println!(
        "  ratio listing / cached: {:.1}",
        l.as_secs_f64() / c.as_secs_f64()
    );
    println!("BENCH {line}");
}
