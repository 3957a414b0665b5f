//! The shell's services: reading files, output sets, the typst runner. Only `command/` and this
//! module read and write files, print or run processes.

pub mod output;
pub mod read;
pub mod typst;
