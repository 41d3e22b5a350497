"""Runs a command as the child of this small process, writes the command's peak resident memory (its own and
that of its children it waited for, as wait4 reports it) in bytes to a file, and exits with its exit code.

run_measured starts every measured command through it. Linux counts in a process's peak the memory of the
process that started it: a child made by fork or vfork holds its parent's pages until it execs, and exec
keeps that size as the peak so far. Started straight from the bench, whose own process grows to gigabytes at
1M loans, a command reported the bench's size as its own (a `true` started by a process holding 1.5 GB
reported 1.46 GiB). Started from this process, which imports nothing but os and sys, the floor is about
10 MB. It runs as a script, not as a module of the package, so that nothing else is imported.

    python tools/benchmark/peak_rss.py OUT_FILE -- COMMAND [ARGUMENT ...]
"""

import os
import sys


def main() -> None:
    out_file, separator, *command = sys.argv[1:]
    if separator != "--" or not command:
        sys.exit(__doc__)
    child = os.fork()
    if child == 0:
        try:
            os.execvp(command[0], command)
        except OSError as error:
            print(f"cannot run {command[0]}: {error}", file=sys.stderr, flush=True)
        os._exit(127)
    _, status, usage = os.wait4(child, 0)
    with open(out_file, "w") as out:
        out.write(str(usage.ru_maxrss * 1024))  # Linux reports KiB
    code = os.waitstatus_to_exitcode(status)
    sys.exit(code if code >= 0 else 128 - code)  # killed by signal N: 128 + N, as a shell says


if __name__ == "__main__":
    main()
