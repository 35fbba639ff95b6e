//! Gateways: Liandong's records in the formats other emergency systems
//! speak.

pub mod edxl_rm;
