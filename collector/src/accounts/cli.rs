//! `collector user add NAME --role ROLE` and `collector user password NAME`: the password comes
//! on standard input (one line), never as an argument, which other users of the machine could
//! read in the process list.

use super::{Added, Role, add, check_name, check_password, normalise_name, reset_password};
use crate::audit::BY_COMMAND_LINE;
use crate::config::Config;
use std::io::BufRead;
use std::process::ExitCode;

pub const USAGE: &str = "usage: collector user add NAME --role administrator|editor|moderator|viewer [--config PATH]\n       collector user password NAME [--config PATH]\n(the password is read from standard input)";

/// Runs `collector user …` with the arguments after `user`.
pub fn run(args: Vec<String>) -> ExitCode {
    match command(args) {
        Ok(message) => {
            eprintln!("mitmachen collector: {message}");
            ExitCode::SUCCESS
        }
        Err((code, message)) => {
            eprintln!("mitmachen collector: {message}");
            ExitCode::from(code)
        }
    }
}

fn command(args: Vec<String>) -> Result<String, (u8, String)> {
    let usage = |what: &str| (2, format!("{what}\n{USAGE}"));
    let mut args = args.into_iter();
    let verb = args.next().ok_or_else(|| usage("say what to do"))?;
    let name = args
        .next()
        .ok_or_else(|| usage("give the account's name"))?;
    let mut role = None;
    let mut rest = Vec::new();
    while let Some(arg) = args.next() {
        if arg == "--role" {
            role = Some(args.next().ok_or_else(|| usage("--role needs a role"))?);
        } else if let Some(r) = arg.strip_prefix("--role=") {
            role = Some(r.to_owned());
        } else {
            rest.push(arg);
        }
    }
    let name = normalise_name(&name);
    check_name(&name).map_err(|e| (2, format!("the name '{name}': {e}")))?;
    let config = Config::load(rest, |n| std::env::var(n).ok()).map_err(|e| (2, e.to_string()))?;
    let password = read_password()?;
    check_password(&password).map_err(|e| (2, e))?;
    let store = crate::db::open(&config.database).map_err(|e| {
        (
            1,
            format!("cannot open the database {}: {e}", config.database),
        )
    })?;
    match verb.as_str() {
        "add" => {
            let role = role.ok_or_else(|| usage("give a role with --role"))?;
            let role = Role::parse(&role).ok_or_else(|| usage(&format!("'{role}' is no role")))?;
            match add(store.as_ref(), &name, role, &password, BY_COMMAND_LINE) {
                Ok(Added::Created) => Ok(format!("account {name} ({role}) created")),
                Ok(Added::NameTaken) => Err((
                    1,
                    format!(
                        "there is an account {name} already; `collector user password {name}` sets its password"
                    ),
                )),
                Err(e) => Err((1, format!("adding the account failed: {e}"))),
            }
        }
        "password" => match reset_password(store.as_ref(), &name, &password, BY_COMMAND_LINE) {
            Ok(true) => Ok(format!(
                "new password set for {name}; its sessions are ended"
            )),
            Ok(false) => Err((1, format!("there is no account {name}"))),
            Err(e) => Err((1, format!("setting the password failed: {e}"))),
        },
        other => Err(usage(&format!("unknown command 'user {other}'"))),
    }
}

/// The first line of standard input, without its line end.
fn read_password() -> Result<String, (u8, String)> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| {
        (
            1,
            format!("cannot read the password from standard input: {e}"),
        )
    })?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}
