
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'azlin' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'azlin'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'azlin' {
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('resolve', 'resolve', [CompletionResultType]::ParameterValue, 'Show where a name leads (VM, session, address, ssh alias) without connecting')
            [CompletionResult]::new('host', 'host', [CompletionResultType]::ParameterValue, 'Manage the local inventory: hosts reached over ssh, no cloud needed')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List VMs and their tmux sessions, probed live over ssh')
            [CompletionResult]::new('ssh', 'ssh', [CompletionResultType]::ParameterValue, 'Open tmux session S on a VM (attach or create), or run a command there')
            [CompletionResult]::new('connect', 'connect', [CompletionResultType]::ParameterValue, 'Attach to a session by name (`vm:session`, a session, a label…), creating it if needed')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a command in sessions: in the active pane''s directory, status passed through')
            [CompletionResult]::new('disconnect', 'disconnect', [CompletionResultType]::ParameterValue, 'Detach every client from a session; the session keeps running')
            [CompletionResult]::new('kill', 'kill', [CompletionResultType]::ParameterValue, 'End a session and everything running in it')
            [CompletionResult]::new('session', 'session', [CompletionResultType]::ParameterValue, 'Show, set or clear the name of a VM (`session VM NAME`) or a session (`session vm:s NAME`)')
            [CompletionResult]::new('tag', 'tag', [CompletionResultType]::ParameterValue, 'List, add or remove tags of a VM (Azure tags, or a local host''s tags)')
            [CompletionResult]::new('ssh-config', 'ssh-config', [CompletionResultType]::ParameterValue, 'Write `Host vm vm--session` aliases to ~/.ssh/config.d for plain ssh, scp and VS Code')
            [CompletionResult]::new('plugin', 'plugin', [CompletionResultType]::ParameterValue, 'List plugins (`azlin-NAME` executables), or run one by name')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Show help for a command or a plugin')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write man pages for azlin and each command into a directory')
            break
        }
        'azlin;resolve' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'List Azure again instead of using the inventory cache')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;host' {
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Register a host')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List registered hosts')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Forget a host (the machine itself is not touched)')
            break
        }
        'azlin;host;add' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'IP address or DNS name of the host')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'IP address or DNS name of the host')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'sshd port')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'sshd port')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Login name (default: `default_user` in config.toml, else ssh''s own default)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Login name (default: `default_user` in config.toml, else ssh''s own default)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Private key to use')
            [CompletionResult]::new('--identity-file', '--identity-file', [CompletionResultType]::ParameterName, 'Private key to use')
            [CompletionResult]::new('-J', '-J ', [CompletionResultType]::ParameterName, 'Jump host(s), as for `ssh -J`')
            [CompletionResult]::new('--proxy-jump', '--proxy-jump', [CompletionResultType]::ParameterName, 'Jump host(s), as for `ssh -J`')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'A label to connect by (`azlin connect LABEL`)')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'A tag, KEY=VALUE (repeatable)')
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;host;list' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Do not cut cells to fit the terminal''s width')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;host;remove' {
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;list' {
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Only VMs with this tag, KEY=VALUE (repeatable: all must match)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Concurrent probes [default: every VM at once, up to 128]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent probes [default: every VM at once, up to 128]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a VM to answer (ssh ConnectTimeout; probes give up after twice that)')
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Include stopped and deallocated VMs')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'No truncation, and more columns (user, port, windows, attached, provider)')
            [CompletionResult]::new('--no-tmux', '--no-tmux', [CompletionResultType]::ParameterName, 'List VMs only, without probing their sessions')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'List Azure VMs again even when the inventory cache is fresh (sessions are always probed live)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;ssh' {
            [CompletionResult]::new('--tmux-session', '--tmux-session', [CompletionResultType]::ParameterName, 'The tmux session to attach to or create (default: `azlin`)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a VM to answer (ssh ConnectTimeout; probes give up after twice that)')
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;connect' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a VM to answer (ssh ConnectTimeout; probes give up after twice that)')
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;exec' {
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Every VM with this tag, KEY=VALUE (repeatable: all must match)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'How many targets run at once')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'How many targets run at once')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a VM to answer (ssh ConnectTimeout; probes give up after twice that)')
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Give the command a terminal (ssh -t)')
            [CompletionResult]::new('--tty', '--tty', [CompletionResultType]::ParameterName, 'Give the command a terminal (ssh -t)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Do not pass stdin on (ssh -n): for `while read …; do azlin exec …; done < file`, where the command would otherwise read the rest of the loop''s input')
            [CompletionResult]::new('--no-stdin', '--no-stdin', [CompletionResultType]::ParameterName, 'Do not pass stdin on (ssh -n): for `while read …; do azlin exec …; done < file`, where the command would otherwise read the rest of the loop''s input')
            [CompletionResult]::new('--create', '--create', [CompletionResultType]::ParameterName, 'Create a named session that does not exist yet')
            [CompletionResult]::new('--detach', '--detach', [CompletionResultType]::ParameterName, 'Start the command in a new window of the session and return at once')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every VM')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;disconnect' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a VM to answer (ssh ConnectTimeout; probes give up after twice that)')
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;kill' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a VM to answer (ssh ConnectTimeout; probes give up after twice that)')
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;session' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a VM to answer (ssh ConnectTimeout; probes give up after twice that)')
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('--clear', '--clear', [CompletionResultType]::ParameterName, 'Remove the name')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;tag' {
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show a VM''s tags')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add or change tags (KEY=VALUE…); other tags are kept')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove tags by key')
            break
        }
        'azlin;tag;list' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'List Azure again instead of using the inventory cache')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;tag;add' {
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;tag;remove' {
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;ssh-config' {
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what a sync would change as a unified diff, and write nothing')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit 1 if the generated config is out of date, and write nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('print', 'print', [CompletionResultType]::ParameterValue, 'Print the generated config on stdout (for `ssh -F` or another tool), or only one VM''s part')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete the generated files and the Include line; the rest of ~/.ssh/config stays as it is')
            break
        }
        'azlin;ssh-config;print' {
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;ssh-config;remove' {
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;plugin' {
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the plugins found, warning about broken ones (exit 1 when it warned). With -v, ask each for its version and description (2 s limit, cached)')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a plugin, even one whose name a built-in command takes')
            break
        }
        'azlin;plugin;list' {
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object: `plugins`, `warnings` and `search_path`')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;plugin;exec' {
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;help' {
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;completions' {
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;man' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Directory to write `azlin.1` and `azlin-COMMAND.1` into (created if missing)')
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'azlin;__complete' {
            [CompletionResult]::new('--resource-group', '--resource-group', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--rg', '--rg', [CompletionResultType]::ParameterName, 'Azure resource group to narrow to')
            [CompletionResult]::new('--subscription', '--subscription', [CompletionResultType]::ParameterName, 'Azure subscription id')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every ssh command and HTTP request to stderr, with status and time (-vv: more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings and no progress, only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Never colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
