#!/usr/bin/env python3
"""Plays the person's browser in sign-in tests (set as $BROWSER): opens the sign-in address,
lets the local authorization server approve it, and follows its one redirect back to Duebook's
loopback listener. Prints the page Duebook showed; exits non-zero when a step fails."""
import sys
import urllib.error
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def main():
    try:
        urllib.request.build_opener(NoRedirect).open(sys.argv[1], timeout=10)
        return "the authorization server did not redirect"
    except urllib.error.HTTPError as answer:
        if answer.code != 302:
            return f"the authorization server answered {answer.code}"
        back = answer.headers["Location"]
    with urllib.request.urlopen(back, timeout=10) as page:
        print(page.read().decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
