//! The `dedup` command line: [`cmd::run`] does the work, `main` turns its outcome into the exit
//! status.

mod cmd;

/// mimalloc: the scan allocates many short-lived buffers per document on every thread, where
/// it is markedly faster than the system allocator.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cmd::exit_code(cmd::run())
}
