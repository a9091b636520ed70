# The pane's process: sh agent.sh --env-exact|--env-add ENVFILE AGENT ARGV...
#
# First the agent's environment: ENVFILE (export lines, written by ao dispatch, 0600) is sourced. With --env-exact
# it is the whole environment (the dispatching shell's), on top of only what tmux sets for every pane (TERM, TMUX,
# TMUX_PANE, TERM_PROGRAM, TERM_PROGRAM_VERSION), so nothing of whatever shell once started the tmux server leaks
# in; with --env-add (ao dispatch --env-from server) it is added to the server's environment.
#
# Then the agent runs as a child of this shell. tmux sends SIGCONT to a pane process that stops, so an agent that
# was the pane's process could never stay paused; as this shell's child it can (ao pauses an agent over its budget
# with SIGSTOP to its processes). The agent's exit status, or the signal that killed it, is passed on as this
# shell's own, so tmux reports the pane's end as if the agent were the pane's process.
case ${1-} in
--env-exact)
	file=$2
	shift 2
	exec env -i /bin/sh "$0" --env-loaded "$file" "${TERM-}" "${TMUX-}" "${TMUX_PANE-}" "${TERM_PROGRAM-}" "${TERM_PROGRAM_VERSION-}" "$@"
	;;
--env-loaded)
	. "$2"
	[ -z "$3" ] || export TERM="$3"
	[ -z "$4" ] || export TMUX="$4"
	[ -z "$5" ] || export TMUX_PANE="$5"
	[ -z "$6" ] || export TERM_PROGRAM="$6"
	[ -z "$7" ] || export TERM_PROGRAM_VERSION="$7"
	shift 7
	;;
--env-add)
	. "$2"
	shift 2
	;;
esac

"$@"
status=$?
if [ "$status" -gt 128 ]; then
	signal=$(kill -l "$status" 2>/dev/null)
	if [ -n "$signal" ]; then
		trap - "$signal"
		kill -s "$signal" $$
	fi
fi
exit "$status"
