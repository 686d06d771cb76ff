//! `onus graph`, `onus lint --deep`, `onus run --batch`.
