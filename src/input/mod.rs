//! Reading what users give the tool, one way each: TOML through [`toml::TomlDoc`], CSV through
//! [`table`], text encodings through [`encoding`], and every problem as a located
//! [`diagnostic::Diagnostic`] with a hint.

pub mod diagnostic;
pub mod encoding;
pub mod table;
pub mod toml;
pub mod workbook;
