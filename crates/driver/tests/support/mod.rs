//! Test support: a scriptable fake Mesos master.

pub mod fake_master;
