# shellcheck shell=bash
# Appended to clap's bash completions by `awscreds-rs completions bash`:
# profile names for `use` and --profile, stored NAMEs for --username.

_awscreds_rs_dynamic() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} kind=
  case $prev in
    --profile) kind=profiles ;;
    --username) kind=usernames ;;
    use) [[ $COMP_CWORD -eq 2 ]] && kind=profiles ;;
  esac
  if [[ -n $kind ]]; then
    local names
    names=$(command awscreds-rs complete-names "$kind" 2>/dev/null)
    mapfile -t COMPREPLY < <(compgen -W "$names" -- "$cur")
    return 0
  fi
  _awscreds__rs "$@"
}
complete -F _awscreds_rs_dynamic -o bashdefault -o default awscreds-rs
