# shellcheck shell=bash
# awscreds-rs for bash: sets AWS_PROFILE from the nearest allowed
# .aws-profile, restores it when you leave, and warns when AWS_ACCESS_KEY_ID
# and friends would shadow it. Load it with, in ~/.bashrc:
#   eval "$(awscreds-rs init bash)"
# A prompt where nothing changed costs no process, nor does a directory
# change under the same .aws-profile (or under none), nor leaving a project
# for a directory under none: only string compares and a stat of each
# parent. Written for bash 3.2 (macOS's /bin/bash) and later.
#
# This is the template `awscreds-rs init bash` renders: each {{…}} is
# put in from the Rust constant that owns it (src/shell.rs).

__awscreds_bin={{bin}}
# What the hook's answer depends on, from expansions only (no subshell):
# the AWS variables, then the directory.
__awscreds_now() {
  __awscreds_env="${AWS_PROFILE-$'\001'}|{{key_flags}}"
  __awscreds_key="$PWD|$__awscreds_env"
}

# The nearest .aws-profile above $PWD, of any type, as awscreds-rs finds
# it; or $PWD itself behind a '?' once the walk meets a symbolic link,
# where the real parent differs from the one $PWD names.
__awscreds_near() {
  local dir=$PWD
  while :; do
    if [[ -e $dir/{{file}} || -L $dir/{{file}} ]]; then
      __awscreds_file=$dir/{{file}}
      return
    fi
    if [[ -z $dir ]]; then
      __awscreds_file=
      return
    fi
    if [[ -L $dir ]]; then
      __awscreds_file="?$PWD"
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
        {{leave}}=''
        eval "$code"
        __awscreds_now
      else
        {{leave}}=''
        if command -v "$__awscreds_bin" >/dev/null 2>&1 &&
          code=$({{state_env}} \
            command "$__awscreds_bin" hook bash); then
          eval "$code"
          __awscreds_now
          {{leave}}_env=$__awscreds_env
        fi
      fi
    fi
    __awscreds_seen=$__awscreds_key
    __awscreds_judged="$__awscreds_file|$__awscreds_env"
  fi
  return "$rc"
}

# After `awscreds-rs allow`, `deny` or `use`, the next prompt looks again.
awscreds-rs() {
  local rc=0
  # Tells `awscreds-rs doctor` that the hook is loaded in this shell: said
  # to the command alone, so that a child shell, which has no hook, is not
  # told so.
  {{hook_var}}=bash command "$__awscreds_bin" "$@" || rc=$?
  __awscreds_seen='' __awscreds_judged='' {{leave}}=''
  return "$rc"
}

# The active profile for a prompt, without a process: PS1='$(awscreds_prompt) \$ '
awscreds_prompt() {
  if [[ -n "${AWS_PROFILE-}" ]]; then
    printf '{{prompt_prefix}}%s' "$AWS_PROFILE"
    [[ -z "{{key_values}}" ]] || printf '{{prompt_shadowed}}'
  fi
}

# First in PROMPT_COMMAND, so that prompts drawn after it see the new
# AWS_PROFILE; the hook returns the caller's $?. Both the string and the
# bash 5.1 array form (told apart by `declare -p`, which bash 3.2 has);
# added once however often this is sourced.
if [[ "$(declare -p PROMPT_COMMAND 2>/dev/null)" == "declare -a"* ]]; then
  [[ " ${PROMPT_COMMAND[*]} " == *" __awscreds_hook "* ]] ||
    PROMPT_COMMAND=(__awscreds_hook "${PROMPT_COMMAND[@]}")
elif [[ "${PROMPT_COMMAND-}" != *__awscreds_hook* ]]; then
  # Here PROMPT_COMMAND is a plain string; the branch above handled the array.
  # shellcheck disable=SC2178,SC2128
  PROMPT_COMMAND="__awscreds_hook${PROMPT_COMMAND:+$'\n'$PROMPT_COMMAND}"
fi
