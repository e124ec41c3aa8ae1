//! Shell completion: `azlin completions SHELL` prints the script ([`script`]), and the
//! script calls the hidden `azlin __complete -- WORD…` on every TAB for the names that
//! only azlin knows ([`candidates`]).

pub mod candidates;
pub mod script;
