# tests/testhost/command.sh DIR: runs inside the test host, chrooted into
# the machine's /, with bash.  tests/testhost/run copies it into its
# per-run directory DIR with the caller's working directory (DIR/cwd),
# environment (DIR/env) and command (DIR/argv), each NUL-terminated, and
# reads back DIR/stdout, DIR/stderr and DIR/status.
d=$1
: >"$d/started"
IFS= read -r -d '' cwd <"$d/cwd"
mapfile -d '' -t envv <"$d/env"
mapfile -d '' -t argv <"$d/argv"
if cd -- "$cwd" 2>"$d/stderr"; then
	env -i -- "${envv[@]}" "${argv[@]}" </dev/null >"$d/stdout" 2>"$d/stderr"
	status=$?
else
	echo "testhost: the working directory $cwd is not visible in the test host" >>"$d/stderr"
	status=125
fi
echo "$status" >"$d/status"
