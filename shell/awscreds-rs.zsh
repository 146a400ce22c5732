# awscreds-rs for zsh (checked with zsh -n): sets AWS_PROFILE from the
# nearest allowed .aws-profile, restores it when you leave, and warns when
# AWS_ACCESS_KEY_ID and friends would shadow it. Load it with, in ~/.zshrc:
#   eval "$(awscreds-rs init zsh)"
# This is the template `awscreds-rs init zsh` renders: each {{…}} is
# put in from the Rust constant that owns it (src/shell.rs).
# A prompt where nothing changed costs no process, nor does a directory
# change under the same .aws-profile (or under none), nor leaving a project
# for a directory under none: only string compares and a stat of each
# parent.

typeset -g __awscreds_bin={{bin}}
# What the hook's answer depends on: the AWS variables, then the directory.
__awscreds_now() {
  typeset -g __awscreds_env="${AWS_PROFILE-$'\001'}|{{key_flags}}"
  typeset -g __awscreds_key="$PWD|$__awscreds_env"
}

# The nearest .aws-profile above $PWD, of any type, as awscreds-rs finds
# it; or $PWD itself behind a '?' once the walk meets a symbolic link,
# where the real parent differs from the one $PWD names.
__awscreds_near() {
  local dir=$PWD
  while :; do
    if [[ -e $dir/{{file}} || -L $dir/{{file}} ]]; then
      typeset -g __awscreds_file=$dir/{{file}}
      return
    fi
    if [[ -z $dir ]]; then
      typeset -g __awscreds_file=
      return
    fi
    if [[ -L $dir ]]; then
      typeset -g __awscreds_file="?$PWD"
      return
    fi
    dir=${dir%/*}
  done
}

# A process runs only when the directory changed to one under another
# .aws-profile, or an AWS variable changed. Leaving for a directory under
# none replays the answer the last process gave for that in advance
# ({{leave}}), while the AWS variables are as that process left them.
__awscreds_hook() {
  local rc=$? code
  __awscreds_now
  if [[ "$__awscreds_key" != "${__awscreds_seen-}" ]]; then
    __awscreds_near
    if [[ "$__awscreds_file|$__awscreds_env" != "${__awscreds_judged-}" ]]; then
      if [[ -z $__awscreds_file && -n ${{{leave}}-} &&
        $__awscreds_env == "${{{leave}}_env-}" ]]; then
        code=${{leave}}
        typeset -g {{leave}}=''
        eval "$code"
        __awscreds_now
      else
        typeset -g {{leave}}=''
        if { (( ${+commands[$__awscreds_bin]} )) || [[ -x "$__awscreds_bin" ]] } &&
          code=$({{state_env}} \
            command "$__awscreds_bin" hook zsh); then
          eval "$code"
          __awscreds_now
          typeset -g {{leave}}_env="$__awscreds_env"
        fi
      fi
    fi
    typeset -g __awscreds_seen="$__awscreds_key"
    typeset -g __awscreds_judged="$__awscreds_file|$__awscreds_env"
  fi
  return $rc
}

# After `awscreds-rs allow`, `deny` or `use`, the next prompt looks again.
awscreds-rs() {
  local rc=0
  # Tells `awscreds-rs doctor` that the hook is loaded in this shell: said
  # to the command alone, so that a child shell, which has no hook, is not
  # told so.
  {{hook_var}}=zsh command "$__awscreds_bin" "$@" || rc=$?
  typeset -g __awscreds_seen='' __awscreds_judged='' {{leave}}=''
  return $rc
}

# The active profile for a prompt, without a process:
#   setopt prompt_subst; PROMPT='$(awscreds_prompt) %# '
awscreds_prompt() {
  if [[ -n "${AWS_PROFILE-}" ]]; then
    printf '{{prompt_prefix}}%s' "$AWS_PROFILE"
    [[ -z "{{key_values}}" ]] || printf '{{prompt_shadowed}}'
  fi
}

autoload -Uz add-zsh-hook
add-zsh-hook precmd __awscreds_hook
add-zsh-hook chpwd __awscreds_hook
