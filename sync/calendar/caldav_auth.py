"""How otg-sync signs in to a CalDAV server: Basic or Digest, chosen by config or by the server.

``calendar.caldav.auth`` is ``"basic"`` (the password goes with every request, base64: fine
over HTTPS), ``"digest"`` (RFC 7616: the server's challenge is answered, the password never
travels) or ``"auto"`` (the default: Basic first, as most servers take it; when the server
answers 401 and offers Digest (SabreDAV's and Baïkal's default), Digest from then on). A server
that asks for a scheme we do not speak (Bearer, NTLM, Negotiate) is named in the error.
"""

from __future__ import annotations

import re

import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from sync.errors import AuthError

SCHEMES = ("auto", "basic", "digest")
SPOKEN = ("basic", "digest")
#: an auth scheme: a token at the start or after a comma, not followed by "=" (a parameter)
SCHEME = re.compile(r"(?:^|,)\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?=\s+[^=,\s]|\s*$|\s*,)")


def offered(response: requests.Response) -> list[str]:
    """The schemes a 401's ``WWW-Authenticate`` offers, lower case, in its order."""
    header = re.sub(r'"(?:[^"\\]|\\.)*"', '""', response.headers.get("WWW-Authenticate", ""))
    # quoted strings (a realm) are emptied first: a comma inside one separates nothing
    found = re.findall(SCHEME, header)
    return [s.lower() for s in found if s]


class ChosenAuth(AuthBase):
    """Basic, Digest, or (``auto``) Basic until the server's challenge asks for Digest."""

    def __init__(self, username: str, password: str, scheme: str = "auto") -> None:
        self.basic = HTTPBasicAuth(username, password)
        self.digest = HTTPDigestAuth(username, password)
        self.scheme = scheme
        self.chosen = "digest" if scheme == "digest" else "basic"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.chosen == "digest":
            return self.digest(request)
        request = self.basic(request)
        if self.scheme == "auto":
            request.register_hook("response", self._challenged)
        return request

    def _challenged(self, response: requests.Response, **kwargs: object) -> requests.Response:
        """A 401 to Basic that offers Digest: answer its challenge, and use Digest from now on.
        The request is sent again with its body (it was prepared once, as bytes)."""
        if response.status_code != 401 or self.chosen == "digest":
            return response
        if "digest" not in offered(response) or "basic" in offered(response):
            return response  # Basic was refused as such: a wrong password, said by the caller
        self.chosen = "digest"
        self.digest.init_per_thread_state()
        self.digest._thread_local.num_401_calls = 1
        return self.digest.handle_401(response, **kwargs)


def refused(response: requests.Response, scheme: str, method: str, who: str) -> AuthError:
    """The error for a 401, naming what the server asked for when it is not what we sent."""
    schemes = offered(response)
    spoken = [s for s in schemes if s in SPOKEN]
    if schemes and not spoken:
        names = ", ".join(s.capitalize() for s in dict.fromkeys(schemes))
        return AuthError(
            f"the CalDAV server asks for {names} sign-in, which otg-sync does not speak "
            "(it speaks Basic and Digest)",
            "turn on Basic or Digest for this user on the server (an app password, say), or "
            "use another CalDAV address",
        )
    if scheme == "basic" and spoken == ["digest"]:
        return AuthError(
            f"the CalDAV server refused {method}{who} (401): it asks for Digest sign-in",
            'set calendar.caldav.auth = "digest" (or "auto")',
        )
    if scheme == "digest" and spoken == ["basic"]:
        return AuthError(
            f"the CalDAV server refused {method}{who} (401): it asks for Basic sign-in",
            'set calendar.caldav.auth = "basic" (or "auto")',
        )
    return AuthError(
        f"the CalDAV server refused {method}{who} (401)",
        "check calendar.caldav.username and CALDAV_PASSWORD",
    )
