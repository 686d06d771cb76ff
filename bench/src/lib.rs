//! Benchmark support: the hand-written baseline and the conversion from an onus scenario.

pub mod baseline;
pub mod convert;
