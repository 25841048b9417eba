"""A tiny HTTP client for driving the portal like a browser: cookies, CSRF tokens, logins.

Cookies are kept by hand (the production ``__Host-``/Secure cookies are sent back over plain
http on loopback, which a browser would refuse), so benchmarks and the two-server check run
against the real production settings without weakening them.
"""

from __future__ import annotations

import http.client
import re
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Reply:
    status: int
    headers: dict
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Client:
    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 60.0

    def request(self, method: str, path: str, data: dict | None = None) -> Reply:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        headers = {"Host": f"{self.host}:{self.port}"}
        body = None
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for raw in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(raw)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            headers_out = {k.lower(): v for k, v in response.getheaders()}
            return Reply(response.status, headers_out, text)
        finally:
            connection.close()

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> Reply:
        return self.request("POST", path, data)

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    @property
    def csrf_cookie(self) -> str:
        for name, value in self.cookies.items():
            if name.endswith("csrftoken"):
                return value
        return ""

    def token_from(self, path: str) -> str:
        """The CSRF form token of the page at ``path`` (as a browser reads it from the form)."""
        reply = self.get(path)
        match = TOKEN_RE.search(reply.body)
        if reply.status != 200 or not match:
            raise RuntimeError(f"GET {path}: {reply.status}, no CSRF token in the form")
        return match.group(1)

    def login(self, username: str, password: str) -> None:
        token = self.token_from("/accounts/login/")
        reply = self.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password},
        )
        if reply.status != 302 or not any(k.endswith("sessionid") for k in self.cookies):
            raise RuntimeError(f"login as {username} failed: HTTP {reply.status}")

    def start_topic_quiz(self, slug: str) -> int:
        """Start a one-question-per-page topic quiz; returns the attempt's id."""
        token = self.token_from("/quizzes/")
        reply = self.post(
            "/quizzes/start/",
            {"csrfmiddlewaretoken": token, "kind": "topic", "topic": slug, "layout": "one"},
        )
        match = re.search(r"/attempts/(\d+)/questions/1/", reply.location)
        if reply.status != 302 or not match:
            raise RuntimeError(f"starting a quiz on {slug} failed: HTTP {reply.status}")
        return int(match.group(1))
