//! Scanner CSVs: encodings, known layouts, and cells turned into marks with a status.
//!
//! [`Sheet::open`] detects the encoding and the delimiter (through the one CSV reader,
//! [`crate::input::table::open`]) and the layout ([`detect_layout`], or a [`LayoutFile`]); [`Sheet::rows`] streams the candidates' rows; and
//! [`parse_cell`] reads one answer cell once the caller knows what kind of item it answers.

mod cell;
mod error;
mod layout;
mod layout_file;
mod read_ahead;
mod reader;

pub use crate::input::encoding::Encoding;
pub use cell::{parse_cell, Cell, CellKind, Letters, Status};
pub use error::{CellError, SheetError};
pub use layout::{detect_layout, ItemRef, Layout, Tokens};
pub use layout_file::{parse_layout_file, LayoutFile};
pub use read_ahead::ReadAhead;
pub use reader::{Rejected, Sheet, SheetRow};
