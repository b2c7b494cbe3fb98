//! Plain Rust shared by the widgets (compiled to wasm) and the collector.
//!
//! It knows no browser and no database: the wire protocol, identifiers, the parsing of an
//! editor's `data-*` attributes into a typed configuration, time handling for closing times,
//! and every text a widget shows. Everything here is tested on the host with `cargo test`.

pub mod config;
pub mod definition;
pub mod event;
pub mod ics;
pub mod ids;
pub mod messages;
pub mod newsletter;
pub mod problem;
pub mod protocol;
pub mod shares;
pub mod text;
pub mod time;
pub mod topics;
