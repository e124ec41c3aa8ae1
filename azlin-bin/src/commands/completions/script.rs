//! `azlin completions SHELL`: clap_complete's static script (commands and flags), and for
//! bash, zsh, fish and elvish a hook that asks `azlin __complete` (see
//! [`super::complete`]) for what the command definitions cannot know: names from the
//! caches, plugin names and a plugin's own arguments. PowerShell gets the static script
//! only: no PowerShell is available to test a hook with.

use anyhow::Result;
use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::cli::Cli;

pub const COMPLETIONS_HELP: &str = "\
Examples:
  source <(azlin completions bash)                  # bash, this shell
  azlin completions bash > ~/.local/share/bash-completion/completions/azlin
  azlin completions zsh > ~/.zfunc/_azlin           # with fpath+=~/.zfunc before compinit
  azlin completions fish > ~/.config/fish/completions/azlin.fish
  azlin completions elvish > ~/.config/elvish/lib/azlin.elv   # with `use azlin` in rc.elv

In bash, zsh, fish and elvish, names complete from the local caches, without network: VMs,
labels, vm:session and vm--session after connect, ssh, exec, peek, send, wait, code,
disconnect, kill, session, resolve and tag; plugin names after `azlin` and `azlin help`; a plugin's own arguments
through its `azlin_complete-NAME` (see plugins/README.md).";

/// `azlin completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write the script for
    pub shell: clap_complete::Shell,
}

/// Prints the completion script for `args.shell`.
pub fn run(args: &CompletionsArgs) -> Result<u8> {
    print!("{}", script(args.shell));
    Ok(0)
}

/// The completion script for `shell`.
pub fn script(shell: Shell) -> String {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "azlin", &mut out);
    let text = without_hidden(&command, &String::from_utf8_lossy(&out));
    match shell {
        Shell::Bash => text + BASH_HOOK,
        Shell::Fish => text + FISH_HOOK,
        Shell::Elvish => text + ELVISH_HOOK,
        Shell::Zsh => zsh(&text),
        _ => text,
    }
}

/// clap_complete offers hidden subcommands as well: drop `__complete` from what the
/// scripts offer (the line carrying its description in zsh, fish, elvish and PowerShell,
/// the word in bash's list). Its other lines only apply after it was typed.
fn without_hidden(command: &clap::Command, text: &str) -> String {
    let Some(about) = command
        .find_subcommand("__complete")
        .and_then(|c| c.get_about())
        .map(|a| a.to_string())
    else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len());
    for line in text.lines().filter(|l| !l.contains(&about)) {
        if line.trim_start().starts_with("opts=\"") {
            out.push_str(&line.replace(" __complete\"", "\""));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// zsh calls the function named like the file (`_azlin`) on every TAB: clap's `_azlin`
/// becomes `_azlin_clap`, and the hook takes the name, just before the script's last lines
/// (which call `_azlin` when autoloaded, or register it with `compdef`).
fn zsh(clap: &str) -> String {
    const CLAP_FN: &str = "\n_azlin() {\n";
    const TAIL: &str = "\nif [ \"$funcstack[1]\" = \"_azlin\" ]; then";
    let renamed = clap.replacen(CLAP_FN, "\n_azlin_clap() {\n", 1);
    match renamed.rfind(TAIL) {
        Some(at) if renamed != clap => {
            format!("{}{ZSH_HOOK}{}", &renamed[..at], &renamed[at..])
        }
        // clap_complete changed its layout: the static script still works on its own.
        _ => clap.to_string(),
    }
}

const BASH_HOOK: &str = r#"
# azlin: names from the local caches, plugin names and plugin arguments come from
# `azlin __complete` (no network); everything else from the static _azlin above.
_azlin_dynamic() {
    local line="${COMP_LINE:0:COMP_POINT}" out mode
    local -a words
    read -ra words <<< "$line"
    if [[ -z "$line" || "$line" == *[[:space:]] ]]; then
        words+=("")
    fi
    local cur="${words[${#words[@]}-1]}"
    # The first line says how to use the others; no answer at all means static.
    out="$(azlin __complete -- "${words[@]:1}" 2>/dev/null)"
    mode="${out%%$'\n'*}"
    out="${out#"$mode"}"
    out="${out#$'\n'}"
    case "$mode" in
        add)
            _azlin "$@"
            [[ -n "$out" ]] && mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY <<< "$out"
            ;;
        replace)
            COMPREPLY=()
            [[ -n "$out" ]] && mapfile -t COMPREPLY <<< "$out"
            compopt +o default +o bashdefault 2>/dev/null
            ;;
        *)
            _azlin "$@"
            return
            ;;
    esac
    # bash splits words at `:` (COMP_WORDBREAKS) and replaces only what follows the last
    # colon: drop what precedes it from the candidates (`myvm:d` → `dev`).
    if [[ "$cur" == *:* && "$COMP_WORDBREAKS" == *:* ]]; then
        local colon="${cur%"${cur##*:}"}" i
        for i in "${!COMPREPLY[@]}"; do
            COMPREPLY[i]="${COMPREPLY[i]#"$colon"}"
        done
    fi
    return 0
}
complete -F _azlin_dynamic -o nosort -o bashdefault -o default azlin
"#;

const ZSH_HOOK: &str = r#"
# azlin: names from the local caches, plugin names and plugin arguments come from
# `azlin __complete` (no network); everything else from the static _azlin_clap above.
_azlin() {
    local -a reply
    reply=("${(@f)$(azlin __complete -- "${(@)words[2,CURRENT-1]}" "$PREFIX" 2>/dev/null)}")
    case "$reply[1]" in
        replace) compadd -- "${(@)reply[2,-1]}" ;;
        add) _azlin_clap "$@"; compadd -- "${(@)reply[2,-1]}" ;;
        *) _azlin_clap "$@" ;;
    esac
}
"#;

const FISH_HOOK: &str = r#"
# azlin: names from the local caches, plugin names and plugin arguments come from
# `azlin __complete` (no network); everything else from the static rules above.
function __fish_azlin_dynamic
    set -l words (commandline -opc) (commandline -ct)
    set -e words[1]
    set -l reply (azlin __complete -- $words 2>/dev/null)
    or return 1
    set -e reply[1]
    set -g __fish_azlin_dynamic_reply $reply
end

function __fish_azlin_dynamic_reply
    string join \n -- $__fish_azlin_dynamic_reply
end

complete -c azlin -f -n __fish_azlin_dynamic -a '(__fish_azlin_dynamic_reply)'
# An option's value is completed by that option's rules only: the sessions of the VM on
# the line after `ssh VM --tmux-session`.
complete -c azlin -n "__fish_azlin_using_subcommand ssh" -l tmux-session -r -f -a '(__fish_azlin_dynamic; and __fish_azlin_dynamic_reply)'
"#;

const ELVISH_HOOK: &str = r#"
# azlin: names from the local caches, plugin names and plugin arguments come from
# `azlin __complete` (no network); everything else from the static completer above.
var azlin-static~ = $edit:completion:arg-completer[azlin]
set edit:completion:arg-completer[azlin] = {|@words|
    var reply = [(try { azlin __complete -- (all $words[1..]) 2>/dev/null } catch { })]
    if (and (> (count $reply) 0) (eq $reply[0] replace)) {
        all $reply[1..]
    } elif (and (> (count $reply) 0) (eq $reply[0] add)) {
        azlin-static $@words
        all $reply[1..]
    } else {
        azlin-static $@words
    }
}
"#;
