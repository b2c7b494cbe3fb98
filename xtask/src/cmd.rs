//! Running commands: echoed before they run, failing with the command's name.

use crate::Result;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub fn show(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        s.push(' ');
        s.push_str(&arg.to_string_lossy());
    }
    s
}

/// Runs a command with inherited output; an unsuccessful exit is an error.
pub fn run(cmd: &mut Command) -> Result {
    eprintln!("$ {}", show(cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start {}: {e}", show(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", show(cmd)))
    }
}

/// A command's standard output, if it ran and succeeded.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs a command but gives up after `limit`; used for downloads that hang on machines
/// without access to the host they need.
pub fn run_with_timeout(cmd: &mut Command, limit: Duration) -> bool {
    eprintln!("$ {}   (at most {} s)", show(cmd), limit.as_secs());
    let Ok(mut child) = cmd.spawn() else {
        return false;
    };
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.success(),
            Ok(None) if start.elapsed() < limit => std::thread::sleep(Duration::from_millis(250)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                eprintln!("  gave up after {} s", limit.as_secs());
                return false;
            }
        }
    }
}

pub fn exists(program: &str) -> bool {
    output(Command::new(program).arg("--version")).is_some()
}
