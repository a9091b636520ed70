# Runs an agent as a child of this shell, which is the pane's process. tmux sends SIGCONT to a pane process that
# stops, so an agent that was the pane's process could never stay paused; as this shell's child it can (ao pauses an
# agent over its budget with SIGSTOP to its processes). The agent's exit status, or the signal that killed it, is
# passed on as this shell's own, so tmux reports the pane's end as if the agent were the pane's process.
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
