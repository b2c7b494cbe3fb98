//! Ballots: a poll's answers and a topic list's dots, counted into running totals. `rules` holds
//! the rules a declared widget is held to inside the write transaction, `config` reads them from
//! `[widgets.<id>]`, `store` adds a ballot to the totals and reads them, `results` serves them. A ballot arrives as a submission
//! (`crate::submissions`).

pub(crate) mod config;
pub mod results;
pub mod rules;
pub(crate) mod store;
