"""Run gomapfix as `python -m codemod`."""

import os
import sys

from codemod.cli import SUBCOMMANDS, main


def run() -> None:
    """main(), then, for the main command, end the process at once: its output is written
    and flushed by then, and tearing the interpreter's heap down would add about a tenth
    to a run the cache serves. Subcommands (git, pull requests) exit the ordinary way, as
    does a run under a profiler, tracer or debugger (it writes its data at exit);
    in-process callers use main() itself, which returns."""
    status = main()
    observed = sys.getprofile() is not None or sys.gettrace() is not None
    if observed or (sys.argv[1:2] and sys.argv[1] in SUBCOMMANDS):
        sys.exit(status)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe or stream: nothing more can be written
        pass
    os._exit(status)


if __name__ == "__main__":
    run()
