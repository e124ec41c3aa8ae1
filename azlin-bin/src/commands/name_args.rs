//! The types of the positionals that name a target, so that completion reads what a
//! positional names from its clap definition (the type its value parser produces), not
//! from its value name: a new command whose positional is a [`TargetId`] completes names
//! with no change to the completer, and renaming `ID` in the help cannot break it.
//!
//! The values are plain strings (the core validates them, with its own messages and exit
//! code 2); the types only say which names fit.

use std::any::TypeId;
use std::fmt;
use std::ops::Deref;

use azlin_core::complete::NameKind;
use clap::Arg;
use clap::builder::{StringValueParser, TypedValueParser, ValueParserFactory};

/// Defines a string newtype whose clap value parser marks the positional as naming
/// `$kind`.
macro_rules! name_arg {
    ($(#[$doc:meta])* $name:ident => $kind:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(pub String);

        impl $name {
            /// The name completion offers for this positional.
            pub const KIND: NameKind = $kind;
        }

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl ValueParserFactory for $name {
            type Parser = clap::builder::MapValueParser<StringValueParser, fn(String) -> $name>;
            fn value_parser() -> Self::Parser {
                StringValueParser::new().map($name)
            }
        }
    };
}

name_arg!(
    /// Any identifier: `vm:session`, `vm:`, `:session`, `vm--session`, a VM, a label, a
    /// session name.
    TargetId => NameKind::Any
);
name_arg!(
    /// A VM by name, label or IP (`vm:session` is accepted too).
    VmArg => NameKind::Vm
);
name_arg!(
    /// A VM by its name only (tags belong to a VM, named exactly).
    VmNameArg => NameKind::VmName
);

/// What `arg` names, read from the type its value parser produces; `None` for every
/// other positional (files, commands, free text).
pub fn name_kind(arg: &Arg) -> Option<NameKind> {
    let produced = arg.get_value_parser().type_id();
    [
        (TypeId::of::<TargetId>(), TargetId::KIND),
        (TypeId::of::<VmArg>(), VmArg::KIND),
        (TypeId::of::<VmNameArg>(), VmNameArg::KIND),
    ]
    .into_iter()
    .find(|(id, _)| produced == *id)
    .map(|(_, kind)| kind)
}

/// The strings of `ids`, for the core's functions that take names.
pub fn strings<T: Clone + Into<String>>(ids: &[T]) -> Vec<String> {
    ids.iter().cloned().map(Into::into).collect()
}
