"""Outgoing HTTP calls that reach the address that was checked, and nothing else.

A check that reads a URL differently from the HTTP client (``user@host``,
backslashes) or resolves its host name separately from the connection (DNS
rebinding) lets a URL lead the server to its own network. Here the URL is
read by requests and urllib3 themselves, its host name resolved once, and the
connection made to the very address that was checked.
"""

import ipaddress
import socket
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from .exceptions import AddressError

DEFAULT_PORTS = {"http": 80, "https": 443}
ANSWER_TEXT_LIMIT = 200  # characters told of an answer: its status line, where it redirects
# IPv6 ranges whose last 32 bits are an IPv4 address the packets go to: IPv4-mapped, IPv4-compatible, NAT64.
_IPV4_CARRIERS = tuple(ipaddress.ip_network(net) for net in ("::ffff:0:0/96", "::/96", "64:ff9b::/96"))



@dataclass(frozen=True)
class Target:
    """A URL as the HTTP client reads it."""

    scheme: str
    host: str  # lowercase, IDNA-encoded; an IPv6 address without brackets
    port: int
    path: str  # path and query, as on the request line

    @property
    def host_header(self):
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    def url_to(self, address):
        """This URL with ``address`` in place of the host name: where the client connects."""
        host = f"[{address.replace('%', '%25')}]" if ":" in address else address
        return f"{self.scheme}://{host}:{self.port}{self.path}"


def parse(url):
    """Read ``url`` as requests will send it; raise :class:`AddressError` for what must not be called."""
    if any(char == "\\" or char.isspace() or not char.isprintable() for char in url):
        # Clients and checks disagree on where such URLs put the host name.
        raise AddressError("characters")
    try:
        # requests drops a port 0 and keeps a user name: both are read on the URL as written.
        written = parse_url(url)
    except LocationParseError as error:
        raise AddressError("malformed") from error
    if written.scheme not in DEFAULT_PORTS:
        raise AddressError("scheme")
    if written.auth is not None:
        raise AddressError("userinfo")
    if not written.host:
        raise AddressError("host")
    if written.port == 0:
        raise AddressError("malformed")
    try:
        prepared = requests.Request("POST", url).prepare()
    except requests.RequestException as error:
        raise AddressError("malformed") from error
    sent = parse_url(prepared.url)
    return Target(sent.scheme, sent.host.strip("[]"), sent.port or DEFAULT_PORTS[sent.scheme], prepared.path_url)


def is_public(address):
    """Whether ``address`` is a public Internet address (an IPv6 one carrying an IPv4 address: that one).

    Refuses loopback, private, link-local, shared, reserved, unspecified and multicast addresses.
    """
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        if any(ip in network for network in _IPV4_CARRIERS):
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        elif ip.sixtofour:
            ip = ip.sixtofour
    return ip.is_global and not ip.is_multicast


def resolve(target, allow_private=False):
    """The address to connect to: the first one the host name resolves to, once all of them are checked.

    :raise AddressError: ``private`` when one of them is not public and
        ``allow_private`` is false; ``malformed`` for a host name that
        cannot be looked up
    :raise OSError: when the name does not resolve now (:class:`socket.gaierror`)
    """
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except UnicodeError as error:  # an empty or too long label
        raise AddressError("malformed") from error
    addresses = [info[4][0] for info in infos]
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise AddressError("private", address)
    return addresses[0]


class _PinnedTLSAdapter(HTTPAdapter):
    """Connects to the address in the URL, speaks TLS to the host name: SNI and the certificate's check."""

    def __init__(self, hostname):
        self.hostname = hostname  # before super(), which builds the pool manager
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        return super().init_poolmanager(
            *args, server_hostname=self.hostname, assert_hostname=self.hostname, **kwargs)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        return super().proxy_manager_for(proxy, server_hostname=self.hostname, assert_hostname=self.hostname,
                                         **proxy_kwargs)


def post(target, address, data, headers, timeout):
    """POST ``data`` to ``target`` at ``address``, its checked address: the host name is not looked up again.

    The request keeps the URL's Host header and, over https, its host name
    for SNI and the certificate check; a proxy of the environment is asked
    for the address, not the name. Redirections are not followed. The
    answer's body is never read: what a receiver (maybe an internal service)
    answers is neither downloaded nor kept, only its status and headers.

    :raise requests.RequestException: when the receiver cannot be reached
    """
    with requests.Session() as session:
        session.mount("https://", _PinnedTLSAdapter(target.host))
        answer = session.post(target.url_to(address), data=data, headers={**headers, "Host": target.host_header},
                              timeout=timeout, allow_redirects=False, stream=True)
        answer.close()
        return answer


def status_line(answer):
    """``HTTP 500 Internal Server Error``: what may be told of an answer, its reason phrase cut short."""
    return f"HTTP {answer.status_code} {answer.reason or ''}".rstrip()[:ANSWER_TEXT_LIMIT]
