//! dromos-local
