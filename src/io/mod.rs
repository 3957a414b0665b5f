//! The shell's services for commands.

pub mod pages;
