# awscreds-rs for fish (checked with fish --no-execute): sets AWS_PROFILE
# from the nearest allowed .aws-profile, restores it when you leave, and
# warns when AWS_ACCESS_KEY_ID and friends would shadow it. Load it with, in
# ~/.config/fish/config.fish:
#   awscreds-rs init fish | source
# A prompt where nothing changed costs no process: only a string compare.

set -g __awscreds_bin 'awscreds-rs'
# Tells `awscreds-rs doctor` that the hook is loaded.
set -gx AWSCREDS_SHELL_HOOK fish

function __awscreds_now
    set -l profile \x01
    set -q AWS_PROFILE; and set profile "$AWS_PROFILE"
    set -l flags ''
    test -n "$AWS_ACCESS_KEY_ID"; and set flags "$flags"a
    test -n "$AWS_SECRET_ACCESS_KEY"; and set flags "$flags"s
    test -n "$AWS_SESSION_TOKEN"; and set flags "$flags"t
    set -g __awscreds_key "$PWD|$profile|$flags"
end

function __awscreds_hook --on-event fish_prompt --on-variable PWD
    set -l rc $status
    __awscreds_now
    if test "$__awscreds_key" != "$__awscreds_seen"
        if command -sq $__awscreds_bin
            AWSCREDS_HOOK_ACTIVE="$__awscreds_active" \
                AWSCREDS_HOOK_SAVED="$__awscreds_saved" \
                AWSCREDS_HOOK_SAVED_SET="$__awscreds_saved_set" \
                AWSCREDS_HOOK_ROOT="$__awscreds_root" \
                AWSCREDS_HOOK_WARNED="$__awscreds_warned" \
                command $__awscreds_bin hook fish | source
        end
        __awscreds_now
        set -g __awscreds_seen "$__awscreds_key"
    end
    return $rc
end

# After `awscreds-rs allow`, `deny` or `use`, the next prompt looks again.
function awscreds-rs --wraps awscreds-rs
    command $__awscreds_bin $argv
    set -l rc $status
    set -g __awscreds_seen ''
    return $rc
end

# The active profile for a prompt, without a process.
function awscreds_prompt
    if test -n "$AWS_PROFILE"
        printf 'aws:%s' $AWS_PROFILE
        test -z "$AWS_ACCESS_KEY_ID$AWS_SECRET_ACCESS_KEY$AWS_SESSION_TOKEN"; or printf '!'
    end
end

set -q __awscreds_seen; or set -g __awscreds_seen ''
