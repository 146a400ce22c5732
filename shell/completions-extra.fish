# Appended to clap's fish completions by `awscreds-rs completions fish`
# (checked with fish --no-execute): profile names and stored NAMEs.
complete -c awscreds-rs -n '__fish_seen_subcommand_from use' -f -a '(command awscreds-rs complete-names profiles 2>/dev/null)'
complete -c awscreds-rs -l profile -x -a '(command awscreds-rs complete-names profiles 2>/dev/null)'
complete -c awscreds-rs -l username -x -a '(command awscreds-rs complete-names usernames 2>/dev/null)'
