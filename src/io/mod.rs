//! The shell's services: reading files, output sets, the typst runner, pages of scanned files.
//! Only `command/` and this module read and write files, print or run processes.

pub mod output;
pub mod pages;
pub mod read;
pub mod typst;
