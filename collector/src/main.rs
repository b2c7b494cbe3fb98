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
    match runtime.block_on(mitmachen_collector::run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mitmachen collector: {e}");
            ExitCode::FAILURE
        }
    }
}
