//! Ballots: a poll's answers and a topic list's dots, counted into running totals. `rules` holds
//! the rules a declared widget is held to inside the write transaction, `config` reads them from
//! `[widgets.<id>]`, `store` adds a ballot to the totals and reads them, `results` serves them
//! to citizens; `tally` shapes them for administrators, `pages` shows them in the console and
//! `admin` exports them. A ballot arrives as a submission (`crate::submissions`).

pub mod admin;
pub(crate) mod config;
pub mod pages;
pub mod results;
pub mod rules;
pub(crate) mod store;
pub mod tally;
