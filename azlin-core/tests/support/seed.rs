//! The seed of a property test run, shared by every proptest of azlin-core (the unit test
//! in `src/ssh_config/include.rs` includes this file by path).
//!
//! CI sets `PROPTEST_RNG_SEED` (`.ci/run`), so its runs are the same every time; a local
//! run without it draws a random seed and prints it, so any failure reproduces with
//! `PROPTEST_RNG_SEED=<seed> cargo test -p azlin-core <test>`. Failures found are also
//! kept beside each test (`*.proptest-regressions`, committed), which proptest replays
//! first.

use proptest::test_runner::{Config, RngSeed};

/// The variable proptest reads its seed from (proptest 1.x, `std` feature).
pub const SEED_VAR: &str = "PROPTEST_RNG_SEED";

/// A config of `cases` cases whose seed is `PROPTEST_RNG_SEED` or, without it, a random
/// one; either way the seed is printed (libtest shows it when the test fails).
pub fn config(test: &str, cases: u32) -> Config {
    let seed = match std::env::var(SEED_VAR) {
        Ok(text) => text
            .parse::<u64>()
            .unwrap_or_else(|_| panic!("{SEED_VAR}={text:?} is not a number (u64)")),
        Err(_) => fastrand::u64(..),
    };
    eprintln!(
        "{test}: seed {seed}; reproduce with {SEED_VAR}={seed} cargo test -p azlin-core {test}"
    );
    Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        ..Config::default()
    }
}
