"""HTTP to an OpenAI-compatible server, stdlib only: JSON requests, server-sent-event streams, and
every failure turned into one sentence (:class:`ServerError`).

The API key travels only in the ``Authorization`` header; it is never part of a message, a log
line or a ``repr``.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import re
import socket
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from consensus_desktop.errors import ServerError

RETRY_STATUSES = {429, 502, 503, 504}  # nothing was generated: asking again is safe
RETRY_DELAYS = (0.5, 1.5)


class ServerUnavailable(ServerError):
    """Nothing answers at the address, or the connection broke."""


class ServerRefused(ServerError):
    """The server answered with an HTTP error."""


@dataclass(frozen=True)
class Endpoint:
    """A parsed base URL such as ``http://127.0.0.1:8080/v1``."""

    url: str
    scheme: str
    host: str
    port: int
    base_path: str
    api_key: str = field(default="", repr=False)

    @classmethod
    def parse(cls, url: str, api_key: str = "") -> Endpoint:
        text = url.strip()
        example = "give one like http://127.0.0.1:8080/v1"
        other_scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):(?!\d)", text)
        if "://" not in text and other_scheme:  # javascript:…, file:…, mailto:…
            raise ServerError(
                f"'{url}' is not a server URL ({other_scheme.group(1)}: is not http or https): "
                f"{example}."
            )
        try:
            parts = urlsplit(text if "://" in text else f"http://{text}")
        except ValueError as exc:  # "Invalid IPv6 URL": an unclosed [
            raise ServerError(f"'{url}' is not a server URL ({exc}): {example}.") from None
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ServerError(f"'{url}' is not a server URL: {example}.")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise ServerError(f"'{url}' has an invalid port number.") from None
        path = parts.path.rstrip("/")
        # the URL as shown and stored: no user name or password, ever
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname  # IPv6
        shown = f"{parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}{path}"
        return cls(shown, parts.scheme, parts.hostname, port, path, api_key)

    @property
    def host_port(self) -> str:
        return f"{self.host}:{self.port}"

    def is_local(self) -> bool:
        """True for this machine or the local network (loopback, private, link-local, .local)."""
        host = self.host.lower()
        if host == "localhost" or host.endswith((".local", ".lan", ".home.arpa")):
            return True
        try:
            addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
        except OSError:
            return False
        for a in addresses:
            ip = ipaddress.ip_address(a.split("%")[0])
            if not (ip.is_loopback or ip.is_private or ip.is_link_local):
                return False
        return bool(addresses)

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def open(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        connect_timeout: float,
        read_timeout: float,
    ) -> tuple[socket.socket, http.client.HTTPResponse]:
        """Send a request; return its socket (shut it down to cancel) and a 2xx response
        (retrying 429/5xx). Close the response when done."""
        payload = None if body is None else json.dumps(body).encode("utf-8")
        for attempt in range(len(RETRY_DELAYS) + 1):
            conn = self._connection(connect_timeout)
            try:
                conn.connect()
                sock = conn.sock
                assert sock is not None
                sock.settimeout(read_timeout)
                conn.request(method, self.base_path + path, payload, self._headers())
                response = conn.getresponse()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                raise self.describe(exc, connect_timeout, read_timeout) from None
            if 200 <= response.status < 300:
                return sock, response
            detail = _error_detail(response)
            conn.close()
            if response.status in RETRY_STATUSES and attempt < len(RETRY_DELAYS):
                time.sleep(RETRY_DELAYS[attempt])
                continue
            raise self.http_error(response.status, path, detail)
        raise AssertionError("unreachable")

    def json(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
    ) -> Any:
        sock, response = self.open(method, path, body, connect_timeout, read_timeout)
        try:
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise self.describe(exc, connect_timeout, read_timeout) from None
        finally:
            response.close()
            sock.close()
        return self.decode(raw)

    def decode(self, raw: bytes) -> Any:
        try:
            return json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            start = raw[:40].decode("utf-8", errors="replace").strip()
            raise ServerRefused(
                f"The server at {self.host_port} answered with something that is not JSON "
                f"({start!r}…): is {self.url} an OpenAI-compatible URL ending in /v1?"
            ) from None

    def events(self, response: http.client.HTTPResponse) -> Iterator[dict[str, Any]]:
        """The JSON objects of a server-sent-event stream, until ``data: [DONE]``."""
        for line in response:
            text = line.decode("utf-8", errors="replace").strip()
            if not text.startswith("data:"):
                continue
            data = text[5:].strip()
            if data == "[DONE]":
                return
            event = self.decode(data.encode("utf-8"))
            if isinstance(event, dict) and "error" in event:
                raise ServerRefused(f"The server at {self.host_port} failed: {_message(event)}.")
            yield event

    def describe(
        self, exc: BaseException, connect_timeout: float, read_timeout: float
    ) -> ServerError:
        where = self.host_port
        if isinstance(exc, ConnectionRefusedError):
            return ServerUnavailable(
                f"Nothing answers at {where}: is the model server running, and is the port right?"
            )
        if isinstance(exc, socket.gaierror):
            return ServerUnavailable(f"The server name {self.host} cannot be found: check the URL.")
        if isinstance(exc, ssl.SSLError):
            reason = getattr(exc, "reason", None) or type(exc).__name__
            return ServerUnavailable(
                f"The secure (TLS) connection to {where} failed ({reason}): check that the URL "
                "starts with http:// or https:// as the server expects, and its certificate."
            )
        if isinstance(exc, TimeoutError | socket.timeout):
            return ServerUnavailable(
                f"The server at {where} stopped answering for {read_timeout:g} s: it may be "
                "overloaded or stalled; try again, or ask for fewer candidates."
            )
        if isinstance(exc, http.client.RemoteDisconnected | ConnectionResetError):
            return ServerUnavailable(f"The server at {where} closed the connection mid-answer.")
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return ServerUnavailable(f"Cannot talk to the server at {where}: {reason}.")

    def http_error(self, status: int, path: str, detail: str) -> ServerRefused:
        where = self.host_port
        said = f" ({detail})" if detail else ""
        if status in (401, 403):
            return ServerRefused(
                f"The server at {where} refused access (HTTP {status}){said}: check the API key "
                "in Models → Use a model server…."
            )
        if status == 404:
            return ServerRefused(
                f"The server at {where} has no {self.base_path + path} (HTTP 404){said}: check that "
                "the URL is the OpenAI-compatible base, usually ending in /v1, and the model name."
            )
        if status == 429:
            return ServerRefused(
                f"The server at {where} is busy (HTTP 429, too many requests): try again in a "
                "moment, or ask for fewer candidates."
            )
        if status >= 500:
            return ServerRefused(f"The server at {where} failed (HTTP {status}){said}.")
        return ServerRefused(f"The server at {where} rejected the request (HTTP {status}){said}.")


def _message(obj: Any) -> str:
    error = obj.get("error") if isinstance(obj, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or error)[:200]
    if error:
        return str(error)[:200]
    if isinstance(obj, dict) and obj.get("detail"):
        return str(obj["detail"])[:200]
    return ""


def _error_detail(response: http.client.HTTPResponse) -> str:
    try:
        raw = response.read(4096)
    except (OSError, http.client.HTTPException):
        return ""
    try:
        return _message(json.loads(raw)).rstrip(".")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ""
