#!/usr/bin/env python3
"""A local OAuth2 authorization server for Duebook's tests, standing in for Microsoft's identity
platform and Google (after ../shared/mail-lab/mock_oauth.py, whose behaviour was checked by hand),
and for the mail APIs that send with its tokens: Microsoft Graph and the Gmail API.

  /authorize      approves at once and redirects to the loopback redirect_uri with code and state;
                  PKCE S256 is required; a redirect_uri that is not http://127.0.0.1|localhost is
                  refused with AADSTS50011 and never followed; mock_deny=1 answers access_denied.
  /token          authorization_code (PKCE checked, codes single use) and refresh_token grants;
                  every refresh rotates the refresh token (the old one stops working). Started
                  with --client-secret VALUE it wants that client_secret in the form body, as
                  Google does for a Desktop app client: missing is Google's invalid_request
                  "client_secret is missing.", wrong its 401 invalid_client "Unauthorized".
                  Both also answer at Microsoft's paths (/common/oauth2/v2.0/authorize, .../token),
                  so this server can be the Microsoft sign-in address (--authority).
  /introspect     RFC 7662, for the SMTP test server's XOAUTH2 check.
  /admin/expire   POST: every access token expires now (the app must refresh).
  /v1.0/me/sendMail  POST, Microsoft Graph's stand-in: the bearer token must be live and carry
                  Mail.Send (else 401), the body is the MIME message in base64; 202 and the
                  message saved as DIR/graph/NNNN.eml.
  /upload/gmail/v1/users/me/messages/send?uploadType=media  POST, the Gmail API's stand-in: the
                  bearer token must be live and carry gmail.send or https://mail.google.com/ (else
                  401), the body is the raw message as message/rfc822; 200 {"id", "threadId",
                  "labelIds": ["SENT"]} and the message saved as DIR/gmail/NNNN.eml. Errors have
                  Google's shape: {"error": {"code", "message", "errors": [{"reason"}]}}.
  /admin/api-fail?status=429&reason=rateLimitExceeded  POST: the next Graph or Gmail send
                  answers that status (with Retry-After: 1) and Google's reason (also as
                  /admin/graph-fail).
  /admin/revoke   POST: every refresh token is revoked (the app must ask to sign in again);
                  ?error=CODE makes the next refresh fail with that AADSTS code instead.
Token errors have Entra's shape: {"error", "error_description": "AADSTSnnnn: ...", "error_codes"}.

Prints "READY <port>" once listening. Each token request adds a line "<grant_type> <result>" to
DIR/token-requests, so tests can count sign-ins and refreshes; every token issued is listed in
DIR/issued-tokens, so tests can check that none of them was written anywhere else.
"""
import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

LOOPBACK = re.compile(r"^http://(127\.0\.0\.1|\[::1\]|localhost)(:\d{1,5})?(/[^#]*)?$")
REVOKED = "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password."
# Standing in for Microsoft's own addresses: an authority of http://127.0.0.1:PORT and the
# tenant "common" give /common/oauth2/v2.0/authorize and .../token.
MICROSOFT_PATH = "/common/oauth2/v2.0"
LOCK = threading.Lock()
CODES, ACCESS, REFRESH = {}, {}, {}
ARGS = None


def aad_error(error, code, message):
    return 400, {"error": error, "error_codes": [code],
                 "error_description": f"AADSTS{code}: {message}\r\nTrace ID: 00000000-test"}


def log(line):
    with open(os.path.join(ARGS.dir, "token-requests"), "a") as f:
        f.write(line + "\n")


def issue(user, scope, client_id, with_refresh):
    access = "at-" + secrets.token_urlsafe(24)
    ACCESS[access] = {"user": user, "scope": scope, "exp": time.time() + ARGS.access_ttl}
    out = {"token_type": "Bearer", "scope": scope, "expires_in": ARGS.access_ttl,
           "access_token": access}
    if with_refresh:
        out["refresh_token"] = refresh = "rt-" + secrets.token_urlsafe(24)
        REFRESH[refresh] = {"user": user, "scope": scope, "client_id": client_id}
    with open(os.path.join(ARGS.dir, "issued-tokens"), "a") as f:
        f.write("\n".join(t for t in (access, out.get("refresh_token")) if t) + "\n")
    return 200, out


def code_grant(form, client_id):
    grant = CODES.pop(form.get("code", ""), None)
    if grant is None:
        return aad_error("invalid_grant", 70000, "The provided value for the 'code' parameter is not valid.")
    if client_id != grant["client_id"] or form.get("redirect_uri") != grant["redirect_uri"]:
        return aad_error("invalid_grant", 50011, "The redirect URI or client_id does not match the authorization request.")
    verifier = form.get("code_verifier", "")
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    if not verifier or digest != grant["challenge"]:
        return aad_error("invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.")
    return issue(grant["user"], grant["scope"], client_id, grant["offline"])


def refresh_grant(form, client_id):
    forced = getattr(ARGS, "next_refresh_error", None)
    if forced:
        ARGS.next_refresh_error = None
        return aad_error("invalid_grant", int(forced), "The refresh token was refused (forced by the test).")
    grant = REFRESH.pop(form.get("refresh_token", ""), None)  # rotation
    if grant is None:
        return aad_error("invalid_grant", 50173, REVOKED.split(": ", 1)[1])
    if client_id != grant["client_id"]:
        return aad_error("invalid_grant", 70000, "The refresh token was issued to a different client_id.")
    return issue(grant["user"], grant["scope"], client_id, True)


def client_secret_refusal(form):
    """Google's answers to a Desktop app client's token request without its secret."""
    if not ARGS.client_secret or form.get("client_secret") == ARGS.client_secret:
        return None
    if not form.get("client_secret"):
        return 400, {"error": "invalid_request", "error_description": "client_secret is missing."}
    return 401, {"error": "invalid_client", "error_description": "Unauthorized"}


def token(form):
    client_id, grant_type = form.get("client_id", ""), form.get("grant_type", "")
    if not client_id:
        return aad_error("invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.")
    with LOCK:
        refused = client_secret_refusal(form)
        if refused:
            status, body = refused
        elif grant_type == "authorization_code":
            status, body = code_grant(form, client_id)
        elif grant_type == "refresh_token":
            status, body = refresh_grant(form, client_id)
        else:
            status, body = aad_error("unsupported_grant_type", 70003, f"unsupported grant type '{grant_type}'")
        log(f"{grant_type} {'ok' if status == 200 else body['error']}")
        return status, body


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, body=None, headers=()):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for key, value in list(headers) + [("Content-Type", "application/json"), ("Cache-Control", "no-store")]:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def form(self):
        length = int(self.headers.get("Content-Length") or 0)
        return {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path in ("/authorize", MICROSOFT_PATH + "/authorize"):
            return self.authorize(query)
        self.reply(404, {"error": "not_found"})

    def do_POST(self):
        url = urlsplit(self.path)
        if url.path in ("/token", MICROSOFT_PATH + "/token"):
            return self.reply(*token(self.form()))
        if url.path == "/introspect":
            return self.introspect(self.form())
        if url.path == "/v1.0/me/sendMail":
            return self.send_mail()
        if url.path == "/upload/gmail/v1/users/me/messages/send":
            return self.gmail_send(parse_qs(url.query))
        with LOCK:
            if url.path == "/admin/expire":
                for grant in ACCESS.values():
                    grant["exp"] = 0
                return self.reply(200, {"expired": len(ACCESS)})
            if url.path in ("/admin/api-fail", "/admin/graph-fail"):
                query = parse_qs(url.query)
                ARGS.next_api_failure = (int(query.get("status", ["500"])[0]), query.get("reason", ["backendError"])[0])
                return self.reply(200, {"next": ARGS.next_api_failure})
            if url.path == "/admin/revoke":
                ARGS.next_refresh_error = parse_qs(url.query).get("error", [None])[0]
                REFRESH.clear()
                return self.reply(200, {"revoked": True})
        self.reply(404, {"error": "not_found"})

    def authorize(self, q):
        redirect = q.get("redirect_uri", "")
        if not LOOPBACK.match(redirect):
            return self.reply(*aad_error("invalid_request", 50011, f"The redirect URI '{redirect}' is not a loopback URI."))

        def back(**params):
            params["state"] = q.get("state", "")
            self.reply(302, None, [("Location", redirect + ("&" if "?" in redirect else "?") + urlencode(params))])

        if q.get("response_type") != "code":
            return back(error="unsupported_response_type", error_description="AADSTS70005: response_type must be 'code'.")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return back(error="invalid_request", error_description="AADSTS50148: PKCE with code_challenge_method=S256 is required.")
        if q.get("mock_deny") or ARGS.deny:
            return back(error="access_denied", error_description="AADSTS65004: User declined to consent to access the app.")
        code = "code-" + secrets.token_urlsafe(24)
        scope = q.get("scope", "")
        with LOCK:
            CODES[code] = {"user": q.get("login_hint") or ARGS.user, "scope": scope,
                           "client_id": q.get("client_id", ""), "redirect_uri": redirect,
                           "challenge": q["code_challenge"],
                           "offline": "offline_access" in scope.split() or q.get("access_type") == "offline"}
        back(code=code)

    def api_request(self, scopes):
        """The body of a mail API request, whether its bearer token is live and carries one of
        `scopes`, and the failure a test asked for (status, reason), if any."""
        token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with LOCK:
            grant = ACCESS.get(token)
            forced, ARGS.next_api_failure = getattr(ARGS, "next_api_failure", None), None
        live = bool(grant) and grant["exp"] >= time.time() and any(s in grant["scope"] for s in scopes)
        return body, live, forced

    def save(self, api, message):
        folder = os.path.join(ARGS.dir, api)
        os.makedirs(folder, exist_ok=True)
        with LOCK:
            number = len(os.listdir(folder)) + 1
            with open(os.path.join(folder, "%04d.eml" % number), "wb") as f:
                f.write(message)
        return number

    def send_mail(self):
        body, live, forced = self.api_request(["Mail.Send"])
        if not live:
            return self.reply(401, {"error": {"code": "InvalidAuthenticationToken", "message": "Access token has expired or is not yet valid."}})
        if forced:
            return self.reply(forced[0], {"error": {"code": "ApplicationThrottled", "message": "Too many requests."}}, [("Retry-After", "1")])
        self.save("graph", base64.b64decode(body, validate=True))
        self.reply(202)

    def gmail_send(self, query):
        def google_error(status, reason, message, headers=()):
            self.reply(status, {"error": {"code": status, "message": message, "status": "ERROR",
                                          "errors": [{"message": message, "domain": "global", "reason": reason}]}}, headers)

        body, live, forced = self.api_request(["gmail.send", "https://mail.google.com/"])
        if not live:
            return google_error(401, "authError", "Request had invalid authentication credentials.")
        if query.get("uploadType") != ["media"] or self.headers.get("Content-Type") != "message/rfc822":
            return google_error(400, "badContent", "Media type or upload type is not supported.")
        if forced:
            return google_error(forced[0], forced[1], f"The test asked for {forced[1]}.", [("Retry-After", "1")])
        number = self.save("gmail", body)
        self.reply(200, {"id": "%016x" % number, "threadId": "%016x" % number, "labelIds": ["SENT"]})

    def introspect(self, form):
        with LOCK:
            grant = ACCESS.get(form.get("token", ""))
        if not grant or grant["exp"] < time.time():
            return self.reply(200, {"active": False})
        self.reply(200, {"active": True, "email": grant["user"], "scope": grant["scope"], "exp": int(grant["exp"])})

    def log_message(self, fmt, *args):
        pass


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--user", default="owner@example.test", help="who signs in when no login_hint is given")
    p.add_argument("--access-ttl", type=int, default=3600, help="seconds")
    p.add_argument("--deny", action="store_true", help="every sign-in is declined")
    p.add_argument("--client-secret", help="the token endpoint wants this client_secret in the form body")
    ARGS = p.parse_args()
    os.makedirs(ARGS.dir, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    print("READY %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
