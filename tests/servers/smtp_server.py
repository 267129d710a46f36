#!/usr/bin/env python3
"""A real SMTP server for Duebook's tests: aiosmtpd on 127.0.0.1 with STARTTLS (or implicit TLS)
and AUTH PLAIN/LOGIN, misbehaving on request.

Modes (--mode):
  accept           250 for every message
  auth-fail        every login is refused: 535 5.7.8
  auth-m365        every login is refused like Microsoft 365 with basic auth off: 535 5.7.139
  smtp-auth-off    every login, XOAUTH2 too, is refused like a Microsoft 365 tenant that has
                   switched SMTP AUTH off: 535 5.7.139 ... SmtpClientAuthentication is disabled
  451-then-250     the first message gets 451 4.3.0 after DATA, later ones 250
  550              every message gets 550 5.7.1 after DATA
  die-mid-data     the process exits when a message body has arrived, before replying
  hang-after-data  never replies to a message body

Sending limits, with any mode that accepts (--daily-limit, --throttle-first):
  --daily-limit N     past N accepted messages in one day, answers like Gmail:
                      550 5.4.5 Daily user sending limit exceeded. The day is the text of
                      DIR/day (the test writes its simulated date there; "today" without it),
                      so a `run-due --today` simulation gets a fresh quota each simulated day.
  --throttle-first K  the first K message bodies get 421 4.7.0 ... try again in 1 second.
Throttled and over-quota messages add their Message-ID to DIR/throttled or DIR/over-quota;
accepted ones carry their day in N.json ("day").

Bearer tokens (--introspect URL, the OAuth test server's /introspect): AUTH XOAUTH2 is checked
there; a good token logs in as its user, a bad or expired one gets Microsoft's
535 5.7.3 Authentication unsuccessful. Each attempt adds "xoauth2" to DIR/auth-count.

Benchmarks (--discard): every message body is accepted and only counted in memory; nothing is
written (else the disk, not the SMTP conversation, would be the figure). The auth-count file is
kept, so logins can still be counted.

Prints "READY <port>" on stdout once listening (--port: on that port, e.g. to come back after an
outage). Every message body that reaches the end of DATA adds a line (its day) to DIR/data-count, every
login attempt one to DIR/auth-count; accepted ones are written as DIR/N.eml and DIR/N.json
(envelope, headers and MIME parts as parsed by Python's email package).
"""
import argparse
import asyncio
import base64
import json
import logging
import os
import ssl
import sys
import urllib.parse
import urllib.request
import warnings
from email import policy
from email.parser import BytesParser

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

warnings.filterwarnings("ignore")
SMTP_AUTH_OFF = ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
                 "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.")
logging.getLogger("mail.log").setLevel(logging.CRITICAL)


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", default="accept")
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--implicit-tls", action="store_true")
    p.add_argument("--daily-limit", type=int, default=None)
    p.add_argument("--throttle-first", type=int, default=0)
    p.add_argument("--introspect", default=None)
    p.add_argument("--discard", action="store_true")
    return p.parse_args()


def summary(envelope, login):
    msg = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
    parts = []
    for part in msg.walk():
        if part.is_multipart():
            parts.append({"content_type": part.get_content_type(), "multipart": True})
            continue
        payload = part.get_payload(decode=True) or b""
        parts.append({
            "content_type": part.get_content_type(),
            "filename": part.get_filename(),
            "base64": base64.b64encode(payload).decode(),
            "text": payload.decode("utf-8", "replace") if part.get_content_maintype() == "text" else None,
        })
    headers = {k: str(v) for k, v in msg.items()}
    return {
        "mail_from": envelope.mail_from,
        "rcpt_tos": envelope.rcpt_tos,
        "login": login,
        "headers": headers,
        "content_type": msg.get_content_type(),
        "parts": parts,
    }


def message_id(envelope):
    msg = BytesParser(policy=policy.default).parsebytes(envelope.original_content, headersonly=True)
    return str(msg.get("Message-ID", ""))


def token_user(url, blob):
    """The user an XOAUTH2 blob (user=U^Aauth=Bearer T^A^A) is good for, or None."""
    fields = dict(p.split("=", 1) for p in blob.decode("utf-8", "replace").split("\x01") if "=" in p)
    token = fields.get("auth", "").removeprefix("Bearer ").strip()
    data = urllib.parse.urlencode({"token": token}).encode()
    with urllib.request.urlopen(url, data=data, timeout=5) as reply:
        info = json.load(reply)
    if info.get("active") is True and info.get("email", "").lower() == fields.get("user", "").lower():
        return fields["user"]
    return None


class Handler:
    def __init__(self, mode, directory, daily_limit=None, throttle_first=0, introspect=None, discard=False):
        self.introspect = introspect
        self.discard = discard
        self.mode = mode
        self.dir = directory
        self.data_seen = 0
        self.accepted = 0
        self.daily_limit = daily_limit
        self.throttle_first = throttle_first
        self.accepted_on = {}

    async def auth_XOAUTH2(self, server, args):
        with open(os.path.join(self.dir, "auth-count"), "a") as f:
            f.write("xoauth2\n")
        if self.mode == "smtp-auth-off":
            return AuthResult(success=False, handled=False, message=SMTP_AUTH_OFF)
        try:
            blob = base64.b64decode(args[1], validate=True) if len(args) > 1 else b""
        except ValueError:
            blob = b""
        user = await asyncio.to_thread(token_user, self.introspect, blob) if self.introspect and blob else None
        if user is None:
            return AuthResult(success=False, handled=False, message="535 5.7.3 Authentication unsuccessful")
        return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))

    def day(self):
        try:
            with open(os.path.join(self.dir, "day")) as f:
                return f.read().strip() or "today"
        except FileNotFoundError:
            return "today"

    def note(self, name, envelope):
        with open(os.path.join(self.dir, name), "a") as f:
            f.write(message_id(envelope) + "\n")

    def limit_reply(self, envelope, day):
        """The throttling or quota answer for this message, or None to accept it."""
        if self.data_seen <= self.throttle_first:
            self.note("throttled", envelope)
            return "421 4.7.0 Too many messages, slow down: try again in 1 second"
        if self.daily_limit is not None and self.accepted_on.get(day, 0) >= self.daily_limit:
            self.note("over-quota", envelope)
            return "550 5.4.5 Daily user sending limit exceeded. For more information, go to https://support.google.com/a/answer/166852"
        return None

    async def handle_DATA(self, server, session, envelope):
        self.data_seen += 1
        if self.discard:
            self.accepted += 1
            return "250 2.0.0 Ok: discarded as DUEBOOK%d" % self.accepted
        day = self.day()
        with open(os.path.join(self.dir, "data-count"), "a") as f:
            f.write(day + "\n")
            f.flush()
            os.fsync(f.fileno())
        if self.mode == "die-mid-data":
            os._exit(3)
        if self.mode == "hang-after-data":
            await asyncio.sleep(3600)
        if self.mode == "550":
            return "550 5.7.1 Message rejected: looks like spam to us"
        if self.mode == "451-then-250" and self.data_seen == 1:
            return "451 4.3.0 Temporary local problem, try again later"
        refusal = self.limit_reply(envelope, day)
        if refusal:
            return refusal
        self.accepted_on[day] = self.accepted_on.get(day, 0) + 1
        self.accepted += 1
        n = len([f for f in os.listdir(self.dir) if f.endswith(".eml")]) + 1
        auth = session.auth_data
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        with open(os.path.join(self.dir, f"{n}.eml"), "wb") as f:
            f.write(envelope.original_content)
        tmp = os.path.join(self.dir, f"{n}.json.tmp")
        with open(tmp, "w") as f:
            json.dump(dict(summary(envelope, login), day=day), f)
        os.replace(tmp, os.path.join(self.dir, f"{n}.json"))
        return "250 2.0.0 Ok: queued as DUEBOOK%d" % n


def main():
    args = parse_args()
    os.makedirs(args.dir, exist_ok=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    handler = Handler(args.mode, args.dir, args.daily_limit, args.throttle_first, args.introspect,
                      args.discard)
    user, password = args.user.encode(), args.password.encode()

    def authenticator(server, session, envelope, mechanism, auth_data):
        with open(os.path.join(args.dir, "auth-count"), "a") as f:
            f.write("password\n")
        if args.mode == "smtp-auth-off":
            return AuthResult(success=False, handled=False, message=SMTP_AUTH_OFF)
        if args.mode == "auth-m365":
            return AuthResult(success=False, handled=False,
                              message="535 5.7.139 Authentication unsuccessful, basic authentication is disabled.")
        if args.mode != "auth-fail" and isinstance(auth_data, LoginPassword) \
                and auth_data.login == user and auth_data.password == password:
            return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)

    def factory():
        if args.implicit_tls:
            return SMTP(handler, hostname="localhost", authenticator=authenticator,
                        auth_required=True, auth_require_tls=False)
        return SMTP(handler, hostname="localhost", tls_context=context, require_starttls=True,
                    authenticator=authenticator, auth_required=True, auth_require_tls=True)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        factory, host="127.0.0.1", port=args.port, ssl=context if args.implicit_tls else None))
    port = server.sockets[0].getsockname()[1]
    print("READY %d" % port, flush=True)
    try:
        loop.run_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
