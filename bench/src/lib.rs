//! Benchmark support: the hand-written baseline, the conversion from an onus scenario, and the
//! generator of varied chains for the scale benchmark.

pub mod baseline;
pub mod convert;
pub mod generate;

pub use baseline::gpai_slice;
