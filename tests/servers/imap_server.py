#!/usr/bin/env python3
"""A real IMAP server for Duebook's tests: Dovecot 2.3 (Debian's dovecot-imapd) on 127.0.0.1,
after the verified recipe in ../shared/mail-lab (config templates in tests/servers/imap/).

  - one user (--user, --password) in a passwd-file, logging in with LOGIN / AUTHENTICATE PLAIN;
  - with --introspect URL (the OAuth test server's /introspect), XOAUTH2 and OAUTHBEARER too,
    each token checked there (it must be active and its "email" the user);
  - STARTTLS on one free port and implicit TLS on another, with --cert / --key;
  - folders INBOX, Sent (SPECIAL-USE \\Sent), Drafts, Trash.

Dovecot runs in the foreground as this process's child, its state in a fresh directory of its
own (mode 755, so its unprivileged processes can enter it; a test's temporary directory is
0700), its path written to DIR/state-dir (for doveadm). Prints "READY <imap_port> <imaps_port>"
once both ports accept connections. Stops Dovecot, and removes its directory, when standard
input closes (the test dropped its handle or died) or on SIGTERM; its log is copied to
DIR/dovecot.log. As root, Dovecot's processes switch to the users dovenull, dovecot and nobody
(as in production); started by another user, they all run as that user, without chroot.
"""
import argparse
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "imap")
DOVECOT = os.environ.get("DUEBOOK_TEST_DOVECOT", "/usr/sbin/dovecot")
OAUTH2_PASSDB = """passdb {
  driver = oauth2
  args = @STATE@/dovecot-oauth2.conf.ext
  mechanisms = xoauth2 oauthbearer
}"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def fill(template, out, values):
    with open(os.path.join(HERE, template)) as f:
        text = f.read()
    for key, value in values.items():
        text = text.replace("@%s@" % key, value)
    with open(out, "w") as f:
        f.write(text)
    os.chmod(out, 0o644)  # the auth process (user dovecot) reads the oauth2 args file


def prepare(args, state):
    # As root, Dovecot's own unprivileged users; otherwise everything runs as this user.
    me = pwd.getpwuid(os.geteuid())
    nobody = pwd.getpwnam("nobody") if os.geteuid() == 0 else me
    os.chmod(state, 0o755)
    for sub in ("run", "state", "mail"):
        os.makedirs(os.path.join(state, sub))
    if os.geteuid() == 0:
        os.chown(os.path.join(state, "mail"), nobody.pw_uid, nobody.pw_gid)
    users = os.path.join(state, "users.passwd")
    with open(users, "w") as f:
        f.write("%s:{PLAIN}%s::::::\n" % (args.user, args.password))
    os.chmod(users, 0o644)
    ports = (free_port(), free_port())
    values = {
        "DIR": state, "STATE": state, "CERT": os.path.abspath(args.cert),
        "KEY": os.path.abspath(args.key), "PORT_IMAP": str(ports[0]), "PORT_IMAPS": str(ports[1]),
        "LOGIN_USER": "dovenull" if os.geteuid() == 0 else me.pw_name,
        "INTERNAL_USER": "dovecot" if os.geteuid() == 0 else me.pw_name,
        "INTERNAL_GROUP": "dovecot" if os.geteuid() == 0 else grp.getgrgid(me.pw_gid).gr_name,
        "LOGIN_CHROOT": "login" if os.geteuid() == 0 else "",
        "ANVIL_CHROOT": "empty" if os.geteuid() == 0 else "",
        "MAIL_UID": str(nobody.pw_uid), "MAIL_GID": str(nobody.pw_gid),
        "INTROSPECT_URL": args.introspect or "",
        "OAUTH2_PASSDB": OAUTH2_PASSDB.replace("@STATE@", state) if args.introspect else "",
    }
    if args.introspect:
        fill("dovecot-oauth2.conf.ext.in", os.path.join(state, "dovecot-oauth2.conf.ext"), values)
    fill("dovecot.conf.in", os.path.join(state, "dovecot.conf"), values)
    return ports


def stop(dovecot, state, dir):
    if dovecot.poll() is None:
        dovecot.terminate()
        try:
            dovecot.wait(5)
        except subprocess.TimeoutExpired:
            dovecot.kill()
            dovecot.wait()
    log = os.path.join(state, "dovecot.log")
    if os.path.exists(log):
        shutil.copy(log, os.path.join(dir, "dovecot.log"))
    shutil.rmtree(state, ignore_errors=True)


def started(dovecot, ports):
    """Whether both ports accept connections within 10 s while Dovecot runs."""
    deadline = time.time() + 10
    while not all(accepts(port) for port in ports):
        if dovecot.poll() is not None or time.time() > deadline:
            return False
        time.sleep(0.05)
    return True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--introspect", help="the OAuth test server's /introspect URL: XOAUTH2 on")
    args = p.parse_args()
    if not os.access(DOVECOT, os.X_OK):
        sys.exit("imap_server.py: %s is missing: run scripts/install-deps.sh (dovecot-imapd)" % DOVECOT)
    os.makedirs(args.dir, exist_ok=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    # A free port may be taken by another test's server before Dovecot binds it: try again.
    for _ in range(3):
        state = tempfile.mkdtemp(prefix="duebook-imap-")
        ports = prepare(args, state)
        dovecot = subprocess.Popen([DOVECOT, "-F", "-c", os.path.join(state, "dovecot.conf")],
                                   stdin=subprocess.DEVNULL, stdout=sys.stderr, stderr=sys.stderr)
        if started(dovecot, ports):
            break
        stop(dovecot, state, args.dir)
    else:
        log = os.path.join(args.dir, "dovecot.log")
        if os.path.exists(log):
            with open(log) as f:
                sys.stderr.write(f.read()[-4000:])
        sys.exit("imap_server.py: Dovecot did not start (log above)")
    # Where Dovecot's config is, for a test that runs doveadm on the same mailbox.
    with open(os.path.join(args.dir, "state-dir"), "w") as f:
        f.write(state)
    print("READY %d %d" % ports, flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    while not done.wait(0.2):
        if dovecot.poll() is not None:
            break
    stop(dovecot, state, args.dir)


if __name__ == "__main__":
    sys.exit(main())
