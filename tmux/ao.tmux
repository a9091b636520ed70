#!/usr/bin/env bash
# ao's tmux plugin: a key that opens the ao dashboard, the ao status segment, and ao notifications in this server.
#
# Load it with TPM, or with one line in ~/.tmux.conf (`ao tmux install` prints it):
#   run-shell '/path/to/ao/tmux/ao.tmux'
#
# Options (set them before that line; shown with their defaults):
#   set -g @ao-key 'A'            prefix + this key opens the dashboard (`ao dashboard`)
#   set -g @ao-popup 'on'         open it in a popup (tmux 3.2+); 'off', or an older tmux: a new window named ao
#   set -g @ao-popup-size '90%'   the popup's width and height
#   set -g @ao-status 'on'        append the ao segment ("ao 2? 1!", tmux/status.sh) to status-right; 'off' leaves it
#
# It changes nothing else in your server: one key binding, at most one status-right segment, and it registers this
# server with ao (`ao tmux register`, in the background) so the supervisor's notifications show here too.

set -u

# The real file, so a symlink to it (a TPM plugin dir, a dotfiles repo) still finds the ao checkout around it.
plugin_file() {
	local file=${BASH_SOURCE[0]} target
	while [ -L "$file" ]; do
		target=$(readlink "$file")
		case $target in
			/*) file=$target ;;
			*) file=$(dirname "$file")/$target ;;
		esac
	done
	printf '%s' "$file"
}

plugin_dir=$(cd "$(dirname "$(plugin_file)")" && pwd -P)
ao_bin=$(cd "$plugin_dir/.." && pwd -P)/bin/ao
status_script=$plugin_dir/status.sh

option() {
	local value
	value=$(tmux show-option -gqv "$1")
	printf '%s' "${value:-$2}"
}

# A word for sh: as it is when it is plain, else single-quoted, so a checkout path with spaces or quotes still runs.
shell_word() {
	case $1 in
		'' | *[!A-Za-z0-9_./-]*) printf "'%s'" "${1//\'/\'\\\'\'}" ;;
		*) printf '%s' "$1" ;;
	esac
}

supports_popup() {
	local version
	version=$(tmux -V)
	# Builds from git say "tmux master" or "tmux next-3.6": treat a version without a number as new.
	[[ $version =~ ([0-9]+)\.([0-9]+) ]] || return 0
	((BASH_REMATCH[1] > 3 || (BASH_REMATCH[1] == 3 && BASH_REMATCH[2] >= 2)))
}

bind_dashboard() {
	local key size command
	key=$(option @ao-key A)
	size=$(option @ao-popup-size 90%)
	command="$(shell_word "$ao_bin") dashboard"
	if [ "$(option @ao-popup on)" = on ] && supports_popup; then
		tmux bind-key "$key" display-popup -E -w "$size" -h "$size" "$command"
	else
		tmux bind-key "$key" new-window -n ao "$command"
	fi
}

add_status_segment() {
	local segment current
	[ "$(option @ao-status on)" = on ] || return 0
	segment="#($(shell_word "$status_script"))"
	current=$(tmux show-option -gqv status-right)
	case $current in
		*"$segment"*) ;;
		*) tmux set-option -ga status-right " $segment" ;;
	esac
}

# In the background, detached from run-shell's output, so loading tmux never waits for node.
register_server() {
	[ -x "$ao_bin" ] || return 0
	"$ao_bin" tmux register </dev/null >/dev/null 2>&1 &
}

bind_dashboard
add_status_segment
register_server
