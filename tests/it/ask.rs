//! `onus ask`, `--interactive` and `--sensitivity`.
