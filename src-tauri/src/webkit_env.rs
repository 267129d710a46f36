//! Environment for WebKit's web process, set before the window (and so that process) starts.

/// JavaScriptCore's generational GC promotes what survives one young collection: every customer
/// panel lives a few frames, so its data and DOM wrappers (and through them the DOM) piled up in
/// the old generation with no full collection. Measured browsing 1,000 customers: the heap after
/// each collection grew from 3 MB to 57 MB; with full collections only it stays at 6 MB, each
/// collection takes a few milliseconds, and after 3,000 customers the web process holds ~100 MB
/// less. Linux only: there WebKitGTK reads `JSC_*` options from the environment. A value the
/// user set wins.
pub fn prepare() {
    const OPTION: &str = "JSC_useGenerationalGC";
    if cfg!(target_os = "linux") && std::env::var_os(OPTION).is_none() {
        // Called first thing in main, before any thread exists.
        std::env::set_var(OPTION, "0");
    }
}
