//! The `collector` binary: read the configuration, then serve.

use mitmachen_collector::config::Config;
use std::process::ExitCode;

fn main() -> ExitCode {
    mitmachen_collector::init_logging();
    let config = match Config::from_process() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("mitmachen collector: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("mitmachen collector: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(mitmachen_collector::run(config));
    // A store call still running on a blocking thread must not hold the exit past the
    // shutdown deadline (dropping the runtime would wait for it).
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mitmachen collector: {e}");
            ExitCode::FAILURE
        }
    }
}
