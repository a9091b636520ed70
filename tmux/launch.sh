# Starts an agent whose argv is too long for one tmux command (tmux caps a command at about 16 KB).
# $1 is a file with one argument per line, each byte written as a \ooo octal escape, so no byte of the task is
# ever read as shell syntax: printf turns the escapes back into the exact bytes, and exec replaces this shell.
argv_file=$1
set --
while IFS= read -r encoded; do
	arg=$(printf "${encoded}x")
	set -- "$@" "${arg%x}"
done < "$argv_file"
exec "$@"
