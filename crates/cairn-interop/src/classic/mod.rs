//! Classic in-toto layouts (spec v0.9/v1.0): import into the IR and export
//! back, with in-toto 3.1.0's semantics (`reference/in-toto.md` 1-3).

mod export;
mod import;
mod items;
mod keys;
mod lists;
pub mod locate;
mod params;
mod reader;
pub mod rules;
mod suggest;

pub use export::ir_to_layout_json;
pub use import::{layout_to_ir, layout_to_ir_with};
pub use params::substitute_parameters;
