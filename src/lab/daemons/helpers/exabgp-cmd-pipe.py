#!/usr/bin/python3
"""Relays ExaBGP API commands written to a named pipe to ExaBGP.

ExaBGP runs this as a `process`; every line written to the pipe (for instance
`echo "announce route 100.64.0.1/32 next-hop 10.10.0.4" >/var/run/exabgp.cmd`)
is copied to our stdout, which ExaBGP reads as API commands.

    process cmd-pipe {
        run /usr/bin/python3 /path/to/arslab/src/lab/daemons/helpers/exabgp-cmd-pipe.py;
        encoder text;
    }

Pipe path: the first argument, else $ARSLAB_EXABGP_CMD (set by ARSLab's driver to a
pipe private to the node), else /var/run/exabgp.cmd.

Behaviour that matters to ExaBGP:
- never exits on its own while ExaBGP lives: ExaBGP respawns a helper that exits,
  and gives up on it (and may stop) when it dies too often;
- exits as soon as ExaBGP goes away (end of file on stdin), so it never outlives it;
- reads stdin continuously: with `exabgp.api.ack` (the default) ExaBGP answers
  "done" to each command, and a full pipe would block ExaBGP itself.
Run it with Debian's /usr/bin/python3 (the ExaBGP package's interpreter); it uses
the standard library only.
"""

import os
import stat
import sys
import threading

DEFAULT_PIPE = "/var/run/exabgp.cmd"


def log(message):
    sys.stderr.write("exabgp-cmd-pipe: %s\n" % message)
    sys.stderr.flush()


def watch_stdin():
    """Discards ExaBGP's acknowledgements; ends the process when ExaBGP closes our stdin."""
    try:
        while sys.stdin.buffer.read1(65536):
            pass
    except (OSError, ValueError):
        pass
    os._exit(0)


def open_pipe(path):
    """Opens the FIFO, creating it if missing; None if the path is something else."""
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISFIFO(mode):
            log("%s exists and is not a named pipe: not relaying (remove it and restart)" % path)
            return None
    except FileNotFoundError:
        try:
            os.mkfifo(path, 0o600)
        except FileExistsError:
            pass
    # Read-write: we hold a writer ourselves, so the pipe never reports end of file between
    # two `echo >pipe` (each writer closes), and open() does not block waiting for one.
    return os.open(path, os.O_RDWR)


def relay(fd):
    pending = b""
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            continue
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            line = line.strip()
            if not line or line.startswith(b"#"):
                continue
            sys.stdout.buffer.write(line + b"\n")
            sys.stdout.buffer.flush()


def main():
    path = (sys.argv[1] if len(sys.argv) > 1 else "") or os.environ.get("ARSLAB_EXABGP_CMD") or DEFAULT_PIPE
    threading.Thread(target=watch_stdin, daemon=True).start()
    fd = open_pipe(path)
    if fd is None:
        # Stay alive (see above) until ExaBGP goes away.
        threading.Event().wait()
    log("relaying %s" % path)
    try:
        relay(fd)
    except BrokenPipeError:
        # ExaBGP closed our stdout: it is going away.
        os._exit(0)


if __name__ == "__main__":
    main()
