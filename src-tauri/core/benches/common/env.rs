//! Sizes from the environment, for every bench (included by path where `mod.rs` is not).

/// A size from the environment (`10_000` and `10,000` both read), or `default`.
pub fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace(['_', ','], "").parse().ok())
        .unwrap_or(default)
}
