# Put before clap's zsh completions by `awscreds-rs completions zsh`
# (checked with zsh -n): profile names and stored NAMEs as candidates.

_awscreds_rs_profiles() {
  local -a names
  names=(${(f)"$(command awscreds-rs complete-names profiles 2>/dev/null)"})
  compadd -a names
}

_awscreds_rs_names() {
  local -a names
  names=(${(f)"$(command awscreds-rs complete-names usernames 2>/dev/null)"})
  compadd -a names
}
