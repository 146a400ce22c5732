# awscreds-rs for zsh (checked with zsh -n): sets AWS_PROFILE from the
# nearest allowed .aws-profile, restores it when you leave, and warns when
# AWS_ACCESS_KEY_ID and friends would shadow it. Load it with, in ~/.zshrc:
#   eval "$(awscreds-rs init zsh)"
# A prompt where nothing changed costs no process, nor does a directory
# change under the same .aws-profile (or under none), nor leaving a project
# for a directory under none: only string compares and a stat of each
# parent.

typeset -g __awscreds_bin='awscreds-rs'
# Tells `awscreds-rs doctor` that the hook is loaded.
export AWSCREDS_SHELL_HOOK=zsh

# What the hook's answer depends on: the AWS variables, then the directory.
__awscreds_now() {
  typeset -g __awscreds_env="${AWS_PROFILE-$'\001'}|${AWS_ACCESS_KEY_ID:+a}${AWS_SECRET_ACCESS_KEY:+s}${AWS_SESSION_TOKEN:+t}"
  typeset -g __awscreds_key="$PWD|$__awscreds_env"
}

# The nearest .aws-profile above $PWD, of any type, as awscreds-rs finds
# it; or $PWD itself behind a '?' once the walk meets a symbolic link,
# where the real parent differs from the one $PWD names.
__awscreds_near() {
  local dir=$PWD
  while :; do
    if [[ -e $dir/.aws-profile || -L $dir/.aws-profile ]]; then
      typeset -g __awscreds_file=$dir/.aws-profile
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
# (__awscreds_leave), while the AWS variables are as that process left them.
__awscreds_hook() {
  local rc=$? code
  __awscreds_now
  if [[ "$__awscreds_key" != "${__awscreds_seen-}" ]]; then
    __awscreds_near
    if [[ "$__awscreds_file|$__awscreds_env" != "${__awscreds_judged-}" ]]; then
      if [[ -z $__awscreds_file && -n ${__awscreds_leave-} &&
        $__awscreds_env == "${__awscreds_leave_env-}" ]]; then
        code=$__awscreds_leave
        typeset -g __awscreds_leave=''
        eval "$code"
        __awscreds_now
      else
        typeset -g __awscreds_leave=''
        if { (( ${+commands[$__awscreds_bin]} )) || [[ -x "$__awscreds_bin" ]] } &&
          code=$(AWSCREDS_HOOK_ACTIVE="${__awscreds_active-}" \
            AWSCREDS_HOOK_SAVED="${__awscreds_saved-}" \
            AWSCREDS_HOOK_SAVED_SET="${__awscreds_saved_set-0}" \
            AWSCREDS_HOOK_ROOT="${__awscreds_root-}" \
            AWSCREDS_HOOK_WARNED="${__awscreds_warned-}" \
            command "$__awscreds_bin" hook zsh); then
          eval "$code"
          __awscreds_now
          typeset -g __awscreds_leave_env="$__awscreds_env"
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
  command "$__awscreds_bin" "$@" || rc=$?
  typeset -g __awscreds_seen='' __awscreds_judged='' __awscreds_leave=''
  return $rc
}

# The active profile for a prompt, without a process:
#   setopt prompt_subst; PROMPT='$(awscreds_prompt) %# '
awscreds_prompt() {
  if [[ -n "${AWS_PROFILE-}" ]]; then
    printf 'aws:%s' "$AWS_PROFILE"
    [[ -z "${AWS_ACCESS_KEY_ID-}${AWS_SECRET_ACCESS_KEY-}${AWS_SESSION_TOKEN-}" ]] || printf '!'
  fi
}

autoload -Uz add-zsh-hook
add-zsh-hook precmd __awscreds_hook
add-zsh-hook chpwd __awscreds_hook
