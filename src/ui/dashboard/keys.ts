/** The dashboard's keys: the line at its foot and the help behind ?. */

export const keysLine = '↑↓/jk select  ⏎ attach  r reply  n new  p pin  s stop  R respawn  dd delete  D diff  M merge  P PR  l log  ? help  q quit';

export const helpText = `Keys
  up/down, j/k   select a job
  Enter, right   attach to the agent (Ctrl-q, or ${'{detach}'}, comes back here)
  r              reply: type a line and send it to the agent without attaching
  n              dispatch a new task (asks for the task, the agent and a name)
  p              pin or unpin (pinned jobs show first)
  s              stop the agent (window and worktree stay)
  R              respawn a stopped, failed or lost job (or resume an idle-stopped or paused one)
  d then d       delete the job (refused while it has unsaved work; then you can archive it and delete)
  x              dismiss the guard's block once you have seen it (a reply dismisses it too)
  D              the job's diff since it branched: commits, uncommitted and untracked files (q or Esc closes)
  M              merge it into the branch it was dispatched from (asks first; type squash, rebase or ff-only
                 for those, and commit to commit its uncommitted work first); then its worktree, window and
                 branch go
  P              push its branch and open a pull request (gh, or review.pr_command)
  A              tell the agent to rebase onto its base and resolve the conflicts a merge would hit
  l              the full log of the agent (q or Esc closes it)
  /              filter by text (empty to clear)
  g              fold or unfold Failed and Completed
  S              start the ao server when it is not running
  q, Ctrl-c      quit

Press any key to close this help.`;
