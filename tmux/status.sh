#!/bin/sh
# The tmux status-line segment: prints what the ao supervisor last wrote (e.g. "ao 2? 1! 3* 4+"). A `cat`, not a
# node start, so it costs nothing at any status-interval. Nothing is printed when ao is not running.
home=${AO_HOME:-${XDG_STATE_HOME:-$HOME/.local/state}/ao}
[ -r "$home/status-line" ] && cat "$home/status-line"
exit 0
