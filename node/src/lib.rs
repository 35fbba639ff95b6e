//! A Liandong post: its identity, durable ledger, and the `liandong`
//! command line. The protocol rules live in `liandong-protocol`; this crate
//! does the IO around them.

pub mod api;
pub mod app;
pub mod benchcrash;
pub mod benchnet;
pub mod benchsim;
pub mod benchviews;
pub mod bundle;
pub mod cli;
pub mod client;
pub mod clock;
pub mod config;
pub mod cores;
pub mod datadir;
pub mod demo;
pub mod domain;
pub mod gateway;
pub mod genesis;
pub mod identity;
pub mod ledger;
pub mod metrics;
pub mod nemesis;
pub mod net;
pub mod node;
pub mod operators;
pub mod panics;
pub mod policy;
pub mod post;
pub mod regions;
pub mod restricted;
pub mod service;
pub mod store;
pub mod tls;
