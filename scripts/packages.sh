# shellcheck shell=bash
# Sourced by the scripts that need Debian packages (bash).
#
#   install_packages WHAT PACKAGE...
#
# installs, with apt-get (as root, or through sudo), those of the packages
# that are not installed yet, saying "installing WHAT: ..." first.
install_packages() {
  local what=$1 p sudo=""
  shift
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  printf '\n==> installing %s: %s\n' "$what" "${missing[*]}"
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}
