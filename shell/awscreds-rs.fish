# awscreds-rs for fish (checked with fish --no-execute): sets AWS_PROFILE
# from the nearest allowed .aws-profile, restores it when you leave, and
# warns when AWS_ACCESS_KEY_ID and friends would shadow it. Load it with, in
# ~/.config/fish/config.fish:
#   awscreds-rs init fish | source
# A prompt where nothing changed costs no process, nor does a directory
# change under the same .aws-profile (or under none), nor leaving a project
# for a directory under none: only string compares and a stat of each
# parent.

# This is the template `awscreds-rs init fish` renders: each {{…}} is
# put in from the Rust constant that owns it (src/shell.rs).

set -g __awscreds_bin {{bin}}
# What the hook's answer depends on: the AWS variables, then the directory.
function __awscreds_now
    set -l profile \x01
    set -q AWS_PROFILE; and set profile "$AWS_PROFILE"
    set -l flags ''
    {{key_flags}}
    set -g __awscreds_env "$profile|$flags"
    set -g __awscreds_key "$PWD|$__awscreds_env"
end

# The nearest .aws-profile above $PWD, of any type, as awscreds-rs finds
# it; or $PWD itself behind a '?' once the walk meets a symbolic link,
# where the real parent differs from the one $PWD names.
function __awscreds_near
    set -l dir $PWD
    while true
        if test -e "$dir/{{file}}"; or test -L "$dir/{{file}}"
            set -g __awscreds_file "$dir/{{file}}"
            return
        end
        if test -z "$dir"
            set -g __awscreds_file ''
            return
        end
        if test -L "$dir"
            set -g __awscreds_file "?$PWD"
            return
        end
        # `string collect`: a name with a newline stays one value.
        set dir (string replace -r '/[^/]*$' '' -- $dir | string collect)
    end
end

# A process runs only when the directory changed to one under another
# .aws-profile, or an AWS variable changed. Leaving for a directory under
# none replays the answer the last process gave for that in advance
# ({{leave}}), while the AWS variables are as that process left them.
function __awscreds_hook --on-event fish_prompt --on-variable PWD
    set -l rc $status
    __awscreds_now
    if test "$__awscreds_key" != "$__awscreds_seen"
        __awscreds_near
        if test "$__awscreds_file|$__awscreds_env" != "$__awscreds_judged"
            if test -z "$__awscreds_file"; and test -n "${{leave}}"
                and test "$__awscreds_env" = "${{leave}}_env"
                set -l code "${{leave}}"
                set -g {{leave}} ''
                eval $code
                __awscreds_now
            else
                set -g {{leave}} ''
                if command -sq $__awscreds_bin
                    {{state_env}} \
                        command $__awscreds_bin hook fish | source
                    __awscreds_now
                    set -g {{leave}}_env "$__awscreds_env"
                end
            end
        end
        set -g __awscreds_seen "$__awscreds_key"
        set -g __awscreds_judged "$__awscreds_file|$__awscreds_env"
    end
    return $rc
end

# After `awscreds-rs allow`, `deny` or `use`, the next prompt looks again.
function awscreds-rs --wraps awscreds-rs
    # Tells `awscreds-rs doctor` that the hook is loaded in this shell: said
    # to the command alone, so that a child shell, which has no hook, is not
    # told so.
    {{hook_var}}=fish command $__awscreds_bin $argv
    set -l rc $status
    set -g __awscreds_seen ''
    set -g __awscreds_judged ''
    set -g {{leave}} ''
    return $rc
end

# The active profile for a prompt, without a process.
function awscreds_prompt
    if test -n "$AWS_PROFILE"
        printf '{{prompt_prefix}}%s' $AWS_PROFILE
        test -z "{{key_values}}"; or printf '{{prompt_shadowed}}'
    end
end

set -q __awscreds_seen; or set -g __awscreds_seen ''
set -q __awscreds_judged; or set -g __awscreds_judged ''
set -q {{leave}}; or set -g {{leave}} ''
set -q {{leave}}_env; or set -g {{leave}}_env ''
