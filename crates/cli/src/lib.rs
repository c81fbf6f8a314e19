//! dromos command-line client (work in progress).
