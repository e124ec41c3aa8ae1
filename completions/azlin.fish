# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_azlin_global_optspecs
    string join \n resource-group= subscription= v/verbose q/quiet no-color h/help V/version
end

function __fish_azlin_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_azlin_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_azlin_using_subcommand
    set -l cmd (__fish_azlin_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c azlin -n "__fish_azlin_needs_command" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_needs_command" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_needs_command" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_needs_command" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_needs_command" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c azlin -n "__fish_azlin_needs_command" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_needs_command" -f -a "resolve" -d 'Show where a name leads (VM, session, address, ssh alias) without connecting'
complete -c azlin -n "__fish_azlin_needs_command" -f -a "host" -d 'Manage the local inventory: hosts reached over ssh, no cloud needed'
complete -c azlin -n "__fish_azlin_needs_command" -f -a "list" -d 'List VMs and their tmux sessions, probed live over ssh'
complete -c azlin -n "__fish_azlin_needs_command" -f -a "ssh" -d 'Open tmux session S on a VM (attach or create), or run a command there'
complete -c azlin -n "__fish_azlin_needs_command" -f -a "connect" -d 'Attach to a session by name (`vm:session`, a session, a label…), creating it if needed'
complete -c azlin -n "__fish_azlin_needs_command" -f -a "exec" -d 'Run a command in sessions: in the active pane\'s directory, status passed through'
complete -c azlin -n "__fish_azlin_needs_command" -f -a "peek" -d 'Show the last lines of a session\'s pane without attaching (`--follow` keeps going)'
complete -c azlin -n "__fish_azlin_needs_command" -f -a "send" -d 'Type text (or tmux keys) into a session\'s pane without attaching'
complete -c azlin -n "__fish_azlin_needs_command" -f -a "wait" -d 'Wait until a session\'s job is done, its output is idle, or a pattern shows'
complete -c azlin -n "__fish_azlin_needs_command" -f -a "code" -d 'Open VS Code (Remote-SSH) on a session\'s VM, in the pane\'s directory'
complete -c azlin -n "__fish_azlin_needs_command" -f -a "disconnect" -d 'Detach every client from a session; the session keeps running'
complete -c azlin -n "__fish_azlin_needs_command" -f -a "kill" -d 'End a session and everything running in it'
complete -c azlin -n "__fish_azlin_needs_command" -f -a "session" -d 'Show, set or clear the name of a VM (`session VM NAME`) or a session (`session vm:s NAME`)'
complete -c azlin -n "__fish_azlin_needs_command" -f -a "tag" -d 'List, add or remove tags of a VM (Azure tags, or a local host\'s tags)'
complete -c azlin -n "__fish_azlin_needs_command" -f -a "ssh-config" -d 'Write `Host vm vm--session` aliases to ~/.ssh/config.d for plain ssh, scp and VS Code'
complete -c azlin -n "__fish_azlin_needs_command" -f -a "plugin" -d 'List plugins (`azlin-NAME` executables), or run one by name'
complete -c azlin -n "__fish_azlin_needs_command" -f -a "help" -d 'Show help for a command or a plugin'
complete -c azlin -n "__fish_azlin_needs_command" -f -a "completions" -d 'Print the shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c azlin -n "__fish_azlin_needs_command" -f -a "man" -d 'Write man pages for azlin and each command into a directory'
complete -c azlin -n "__fish_azlin_using_subcommand resolve" -l format -d 'Output format' -r -f -a "text\t'Readable text'
json\t'One JSON object'"
complete -c azlin -n "__fish_azlin_using_subcommand resolve" -l timeout -d 'Seconds a VM may take to answer, login included; later, keepalives end a connection that went silent (a probe gives up 3 s after the timeout)' -r
complete -c azlin -n "__fish_azlin_using_subcommand resolve" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand resolve" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand resolve" -l refresh -d 'List Azure again instead of using the inventory cache'
complete -c azlin -n "__fish_azlin_using_subcommand resolve" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand resolve" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand resolve" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand resolve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c azlin -n "__fish_azlin_using_subcommand resolve" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand host; and not __fish_seen_subcommand_from add list remove" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand host; and not __fish_seen_subcommand_from add list remove" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand host; and not __fish_seen_subcommand_from add list remove" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand host; and not __fish_seen_subcommand_from add list remove" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand host; and not __fish_seen_subcommand_from add list remove" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand host; and not __fish_seen_subcommand_from add list remove" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand host; and not __fish_seen_subcommand_from add list remove" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand host; and not __fish_seen_subcommand_from add list remove" -f -a "add" -d 'Register a host'
complete -c azlin -n "__fish_azlin_using_subcommand host; and not __fish_seen_subcommand_from add list remove" -f -a "list" -d 'List registered hosts'
complete -c azlin -n "__fish_azlin_using_subcommand host; and not __fish_seen_subcommand_from add list remove" -f -a "remove" -d 'Forget a host (the machine itself is not touched)'
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from add" -s a -l address -d 'IP address or DNS name of the host' -r
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from add" -s p -l port -d 'sshd port' -r
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from add" -s u -l user -d 'Login name (default: `default_user` in config.toml, else ssh\'s own default)' -r
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from add" -s i -l identity-file -d 'Private key to use (stored as an absolute path; a warning if it does not exist)' -r -F
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from add" -s J -l proxy-jump -d 'Jump host(s), as for `ssh -J`' -r
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from add" -l label -d 'A label to connect by (`azlin connect LABEL`)' -r
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from add" -l tag -d 'A tag, KEY=VALUE (repeatable)' -r
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from add" -l region -d 'Where the host runs (e.g. `eastus`), shown in `azlin list`\'s REGION column' -r
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from add" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from add" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from add" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from list" -l format -d 'Output format' -r -f -a "table\t'A boxed table on a terminal, plain aligned columns in a pipe'
json\t'One JSON array'"
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from list" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from list" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from list" -l wide -d 'Do not cut cells to fit the terminal\'s width'
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from list" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from remove" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from remove" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from remove" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand host; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand list" -l tag -d 'Only VMs with this tag, KEY=VALUE (repeatable: all must match)' -r
complete -c azlin -n "__fish_azlin_using_subcommand list" -l format -d 'Output format' -r -f -a "table\t'A boxed table on a terminal; aligned plain columns in a pipe'
json\t'One JSON array, one object per row'
csv\t'Comma-separated values with a header row'"
complete -c azlin -n "__fish_azlin_using_subcommand list" -s j -l jobs -d 'Concurrent probes [default: every VM at once, up to 128]' -r
complete -c azlin -n "__fish_azlin_using_subcommand list" -l timeout -d 'Seconds a VM may take to answer, login included; later, keepalives end a connection that went silent (a probe gives up 3 s after the timeout)' -r
complete -c azlin -n "__fish_azlin_using_subcommand list" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand list" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand list" -l all -d 'Include stopped and deallocated VMs'
complete -c azlin -n "__fish_azlin_using_subcommand list" -l wide -d 'No fitting to the terminal, and more columns (region, user, port, windows, attached, provider); piped and CSV output is never cut'
complete -c azlin -n "__fish_azlin_using_subcommand list" -l no-tmux -d 'List VMs only, without probing their sessions'
complete -c azlin -n "__fish_azlin_using_subcommand list" -l vms -d 'One row per VM (JSON: one object per VM, its sessions as an array), VMs without sessions included; otherwise piped, CSV and JSON rows are sessions'
complete -c azlin -n "__fish_azlin_using_subcommand list" -l refresh -d 'List Azure VMs again even when the inventory cache is fresh (sessions are always probed live)'
complete -c azlin -n "__fish_azlin_using_subcommand list" -l all-subscriptions -d 'Every Azure subscription the credential can read, in one Azure Resource Graph query (needs Reader on each; `[azure] subscriptions` in config.toml names a list)'
complete -c azlin -n "__fish_azlin_using_subcommand list" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand list" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand list" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c azlin -n "__fish_azlin_using_subcommand list" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand ssh" -l tmux-session -d 'The tmux session to attach to or create (default: `azlin`)' -r -f
complete -c azlin -n "__fish_azlin_using_subcommand ssh" -l reconnect-for -d 'Keep trying to reattach for this long after a loss [default: 1h, or connect.reconnect_for in config.toml]' -r
complete -c azlin -n "__fish_azlin_using_subcommand ssh" -l timeout -d 'Seconds a VM may take to answer, login included; later, keepalives end a connection that went silent (a probe gives up 3 s after the timeout)' -r
complete -c azlin -n "__fish_azlin_using_subcommand ssh" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand ssh" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand ssh" -l detach -d 'Create the session if needed and return without attaching (for scripts that set up several sessions)'
complete -c azlin -n "__fish_azlin_using_subcommand ssh" -l no-reconnect -d 'Hand the terminal to ssh and end with it (no reattaching after a lost connection)'
complete -c azlin -n "__fish_azlin_using_subcommand ssh" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand ssh" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand ssh" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand ssh" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand ssh" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand connect" -l reconnect-for -d 'Keep trying to reattach for this long after a loss [default: 1h, or connect.reconnect_for in config.toml]' -r
complete -c azlin -n "__fish_azlin_using_subcommand connect" -l timeout -d 'Seconds a VM may take to answer, login included; later, keepalives end a connection that went silent (a probe gives up 3 s after the timeout)' -r
complete -c azlin -n "__fish_azlin_using_subcommand connect" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand connect" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand connect" -l create -d 'Create the named session even when one of a close name exists (without it azlin refuses, in case the name is a typo)'
complete -c azlin -n "__fish_azlin_using_subcommand connect" -l no-reconnect -d 'Hand the terminal to ssh and end with it (no reattaching after a lost connection)'
complete -c azlin -n "__fish_azlin_using_subcommand connect" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand connect" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand connect" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand connect" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand connect" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand exec" -l tag -d 'Every VM with this tag, KEY=VALUE (repeatable: all must match)' -r
complete -c azlin -n "__fish_azlin_using_subcommand exec" -s j -l jobs -d 'How many targets run at once' -r
complete -c azlin -n "__fish_azlin_using_subcommand exec" -l timeout -d 'Seconds a VM may take to answer, login included; later, keepalives end a connection that went silent (a probe gives up 3 s after the timeout)' -r
complete -c azlin -n "__fish_azlin_using_subcommand exec" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand exec" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand exec" -s t -l tty -d 'Give the command a terminal (ssh -t)'
complete -c azlin -n "__fish_azlin_using_subcommand exec" -s i -l stdin -d 'Pass stdin on to the command (as `kubectl exec -i`); without it a command gets none, so `while read …; do azlin exec …; done < file` reads every line'
complete -c azlin -n "__fish_azlin_using_subcommand exec" -s n -l no-stdin -d 'Do not pass stdin on (ssh -n): the default when there is a command; kept for scripts that say it'
complete -c azlin -n "__fish_azlin_using_subcommand exec" -l create -d 'Create a named session that does not exist yet'
complete -c azlin -n "__fish_azlin_using_subcommand exec" -l detach -d 'Start the command in a new window of the session and return at once'
complete -c azlin -n "__fish_azlin_using_subcommand exec" -l all -d 'Every VM'
complete -c azlin -n "__fish_azlin_using_subcommand exec" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand exec" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand exec" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand exec" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand exec" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand peek" -s n -l lines -d 'How many lines (trailing blank lines are dropped)' -r
complete -c azlin -n "__fish_azlin_using_subcommand peek" -l tag -d 'Every session of the running VMs with this tag, KEY=VALUE (repeatable)' -r
complete -c azlin -n "__fish_azlin_using_subcommand peek" -l format -d 'Output format' -r -f -a "text\t'Readable text'
json\t'One JSON object'"
complete -c azlin -n "__fish_azlin_using_subcommand peek" -l timeout -d 'Seconds a VM may take to answer, login included; later, keepalives end a connection that went silent (a probe gives up 3 s after the timeout)' -r
complete -c azlin -n "__fish_azlin_using_subcommand peek" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand peek" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand peek" -s f -l follow -d 'Keep printing new lines until Ctrl-C or the session ends'
complete -c azlin -n "__fish_azlin_using_subcommand peek" -l escapes -d 'Keep colours and attributes (for a terminal)'
complete -c azlin -n "__fish_azlin_using_subcommand peek" -l all -d 'Every session of every running VM'
complete -c azlin -n "__fish_azlin_using_subcommand peek" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand peek" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand peek" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand peek" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c azlin -n "__fish_azlin_using_subcommand peek" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand send" -l timeout -d 'Seconds a VM may take to answer, login included; later, keepalives end a connection that went silent (a probe gives up 3 s after the timeout)' -r
complete -c azlin -n "__fish_azlin_using_subcommand send" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand send" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand send" -l enter -d 'Press Enter after the text'
complete -c azlin -n "__fish_azlin_using_subcommand send" -l keys -d 'TEXT is tmux key names (C-c, Up, Enter…), pressed in order'
complete -c azlin -n "__fish_azlin_using_subcommand send" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand send" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand send" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand send" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand send" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand wait" -l idle -d 'Until the pane has shown no new output for DUR (90, 30s, 5m…)' -r
complete -c azlin -n "__fish_azlin_using_subcommand wait" -l match -d 'Until the visible screen matches the regular expression RE' -r
complete -c azlin -n "__fish_azlin_using_subcommand wait" -l timeout -d 'Give up after DUR with exit status 1 [default: no limit]' -r
complete -c azlin -n "__fish_azlin_using_subcommand wait" -l interval -d 'How often to look at the pane' -r
complete -c azlin -n "__fish_azlin_using_subcommand wait" -s n -l lines -d 'Lines of the pane to print at the end' -r
complete -c azlin -n "__fish_azlin_using_subcommand wait" -l connect-timeout -d 'Seconds to wait for the VM to answer each look (ssh ConnectTimeout)' -r
complete -c azlin -n "__fish_azlin_using_subcommand wait" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand wait" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand wait" -l done -d 'Until the job in the pane has finished (the default)'
complete -c azlin -n "__fish_azlin_using_subcommand wait" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand wait" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand wait" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand wait" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand wait" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand code" -l editor -d 'The editor: code, code-insiders, cursor, or a path to one' -r
complete -c azlin -n "__fish_azlin_using_subcommand code" -l timeout -d 'Seconds a VM may take to answer, login included; later, keepalives end a connection that went silent (a probe gives up 3 s after the timeout)' -r
complete -c azlin -n "__fish_azlin_using_subcommand code" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand code" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand code" -l print -d 'Print the editor\'s command line instead of running it'
complete -c azlin -n "__fish_azlin_using_subcommand code" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand code" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand code" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand code" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand code" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand disconnect" -l timeout -d 'Seconds a VM may take to answer, login included; later, keepalives end a connection that went silent (a probe gives up 3 s after the timeout)' -r
complete -c azlin -n "__fish_azlin_using_subcommand disconnect" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand disconnect" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand disconnect" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand disconnect" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand disconnect" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand disconnect" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand disconnect" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand kill" -l timeout -d 'Seconds a VM may take to answer, login included; later, keepalives end a connection that went silent (a probe gives up 3 s after the timeout)' -r
complete -c azlin -n "__fish_azlin_using_subcommand kill" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand kill" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand kill" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand kill" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand kill" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand kill" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand kill" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand session" -l timeout -d 'Seconds a VM may take to answer, login included; later, keepalives end a connection that went silent (a probe gives up 3 s after the timeout)' -r
complete -c azlin -n "__fish_azlin_using_subcommand session" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand session" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand session" -l clear -d 'Remove the name'
complete -c azlin -n "__fish_azlin_using_subcommand session" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand session" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand session" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand session" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand session" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and not __fish_seen_subcommand_from list add remove" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand tag; and not __fish_seen_subcommand_from list add remove" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand tag; and not __fish_seen_subcommand_from list add remove" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and not __fish_seen_subcommand_from list add remove" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and not __fish_seen_subcommand_from list add remove" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and not __fish_seen_subcommand_from list add remove" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and not __fish_seen_subcommand_from list add remove" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and not __fish_seen_subcommand_from list add remove" -f -a "list" -d 'Show a VM\'s tags'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and not __fish_seen_subcommand_from list add remove" -f -a "add" -d 'Add or change tags (KEY=VALUE…); other tags are kept'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and not __fish_seen_subcommand_from list add remove" -f -a "remove" -d 'Remove tags by key'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from list" -l format -d 'Output format' -r -f -a "text\t'Readable text'
json\t'One JSON object'"
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from list" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from list" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from list" -l refresh -d 'List Azure again instead of using the inventory cache'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from list" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from add" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from add" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from add" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from remove" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from remove" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from remove" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand tag; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and not __fish_seen_subcommand_from print remove" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and not __fish_seen_subcommand_from print remove" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and not __fish_seen_subcommand_from print remove" -l dry-run -d 'Show what a sync would change as a unified diff, and write nothing'
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and not __fish_seen_subcommand_from print remove" -l check -d 'Exit 1 if the generated config is out of date, and write nothing'
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and not __fish_seen_subcommand_from print remove" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and not __fish_seen_subcommand_from print remove" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and not __fish_seen_subcommand_from print remove" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and not __fish_seen_subcommand_from print remove" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and not __fish_seen_subcommand_from print remove" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and not __fish_seen_subcommand_from print remove" -f -a "print" -d 'Print the generated config on stdout (for `ssh -F` or another tool), or only one VM\'s part'
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and not __fish_seen_subcommand_from print remove" -f -a "remove" -d 'Delete the generated files and the Include line; the rest of ~/.ssh/config stays as it is'
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and __fish_seen_subcommand_from print" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and __fish_seen_subcommand_from print" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and __fish_seen_subcommand_from print" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and __fish_seen_subcommand_from print" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and __fish_seen_subcommand_from print" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and __fish_seen_subcommand_from print" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and __fish_seen_subcommand_from print" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and __fish_seen_subcommand_from remove" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and __fish_seen_subcommand_from remove" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and __fish_seen_subcommand_from remove" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand ssh-config; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and not __fish_seen_subcommand_from list exec" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and not __fish_seen_subcommand_from list exec" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and not __fish_seen_subcommand_from list exec" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and not __fish_seen_subcommand_from list exec" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and not __fish_seen_subcommand_from list exec" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and not __fish_seen_subcommand_from list exec" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and not __fish_seen_subcommand_from list exec" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and not __fish_seen_subcommand_from list exec" -f -a "list" -d 'List the plugins found, warning about broken ones (exit 1 when it warned). With -v, ask each for its version and description (2 s limit, cached)'
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and not __fish_seen_subcommand_from list exec" -f -a "exec" -d 'Run a plugin, even one whose name a built-in command takes'
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and __fish_seen_subcommand_from list" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and __fish_seen_subcommand_from list" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON object: `plugins`, `warnings` and `search_path`'
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and __fish_seen_subcommand_from list" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and __fish_seen_subcommand_from exec" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and __fish_seen_subcommand_from exec" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and __fish_seen_subcommand_from exec" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and __fish_seen_subcommand_from exec" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and __fish_seen_subcommand_from exec" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and __fish_seen_subcommand_from exec" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand plugin; and __fish_seen_subcommand_from exec" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand help" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand help" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand help" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand help" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand help" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand help" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand help" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand completions" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand completions" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand completions" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand completions" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand completions" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand completions" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand completions" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand man" -l dir -d 'Directory to write `azlin.1` and `azlin-COMMAND.1` into (created if missing)' -r -F
complete -c azlin -n "__fish_azlin_using_subcommand man" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand man" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand man" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand man" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand man" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand man" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand man" -s V -l version -d 'Print version'
complete -c azlin -n "__fish_azlin_using_subcommand __complete" -l resource-group -l rg -d 'Azure resource group to narrow to' -r
complete -c azlin -n "__fish_azlin_using_subcommand __complete" -l subscription -d 'Azure subscription id' -r
complete -c azlin -n "__fish_azlin_using_subcommand __complete" -s v -l verbose -d 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)'
complete -c azlin -n "__fish_azlin_using_subcommand __complete" -s q -l quiet -d 'Print no warnings and no progress, only results and errors'
complete -c azlin -n "__fish_azlin_using_subcommand __complete" -l no-color -d 'Never colour the output'
complete -c azlin -n "__fish_azlin_using_subcommand __complete" -s h -l help -d 'Print help'
complete -c azlin -n "__fish_azlin_using_subcommand __complete" -s V -l version -d 'Print version'

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
