//! placeholder
#![allow(missing_docs)]
use wit_parser::{InterfaceId, Resolve, Span};
pub struct Side<'a> { pub resolve: &'a Resolve, pub interface: InterfaceId }
pub struct Mismatch { pub path: String, pub expected: Option<String>, pub found: Option<String>, pub import_span: Option<Span>, pub export_span: Option<Span>, pub message: String }
pub fn compare_interfaces(_i: Side<'_>, _e: Side<'_>) -> Vec<Mismatch> { Vec::new() }
