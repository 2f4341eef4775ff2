"""Outgoing calls reach the address that was checked: URL reading, address classes, pinned connections.

Every connection goes to 127.0.0.1: host names are resolved by a fake
resolver, and any connection to another address is refused before a packet
leaves (the ``no_outside_connections`` fixture).
"""

import datetime
import select
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import urllib3.util.connection
from engine import load

outbound = load("outbound")

# A public address given by fake resolvers; never contacted (no_outside_connections refuses it).
PUBLIC = "93.184.216.34"


@pytest.fixture(autouse=True)
def no_outside_connections(monkeypatch):
    """The addresses connected to; any but 127.0.0.1 is refused before a packet leaves."""
    real = urllib3.util.connection.create_connection
    attempts = []

    def connect(address, *args, **kwargs):
        attempts.append(address)
        if address[0] != "127.0.0.1":
            raise ConnectionRefusedError(f"test: no connection to {address[0]}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", connect)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return attempts


@pytest.fixture
def dns(monkeypatch):
    """``dns["name"] = [answers]``: each lookup of ``name`` gives the next answer (the last one stays), an
    address or a tuple of them; other names resolve for real. ``dns.lookups`` lists the names looked up.
    """

    class Resolver(dict):
        lookups = []

    resolver = Resolver()
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in resolver:
            return real(host, port, *args, **kwargs)
        resolver.lookups.append(host)
        answers = resolver[host]
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return [(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
                for address in ((answer,) if isinstance(answer, str) else answer)]

    monkeypatch.setattr(outbound.socket, "getaddrinfo", getaddrinfo)
    return resolver


class Receiver(BaseHTTPRequestHandler):
    """Records each request; answers ``server.status`` with the reason phrase ``server.phrase`` and the
    body ``server.answer``."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server = self.server
        server.requests.append({"path": self.path, "host": self.headers["Host"], "body": body})
        self.send_response(server.status, server.phrase)
        self.send_header("Content-Length", str(len(server.answer)))
        self.end_headers()
        self.wfile.write(server.answer)

    def log_message(self, *args):
        pass


def serve(tls_context=None):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.requests, server.status, server.phrase, server.answer = [], 200, None, b""
    if tls_context:
        server.socket = tls_context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def receiver():
    server = serve()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("url", [
    "http://example.com@127.0.0.1/",
    "http://user:password@example.com/",
    "http://:@example.com/",
    "http://127.0.0.1%2f@example.com/",
    "https://example.com@/",
])
def test_user_names_and_passwords_are_refused(url):
    with pytest.raises(outbound.AddressError) as error:
        outbound.parse(url)
    assert error.value.code == "userinfo"


@pytest.mark.parametrize("url", [
    "http://127.0.0.1\\@example.com/",
    "http://example.com\\.127.0.0.1/",
    "http://example.com/\\",
    " http://example.com/",
    "http://example.com/a b",
    "http://example.com\t/",
    "http://example.com/\r\nX-Injected: 1",
    "http://exam\x00ple.com/",
    "http://example\u200b.com/",
])
def test_backslashes_whitespace_and_control_characters_are_refused(url):
    with pytest.raises(outbound.AddressError) as error:
        outbound.parse(url)
    assert error.value.code == "characters"


@pytest.mark.parametrize(("url", "code"), [
    ("ftp://example.com/", "scheme"),
    ("file:///etc/passwd", "scheme"),
    ("gopher://127.0.0.1:6379/_", "scheme"),
    ("example.com/hook", "scheme"),
    ("//example.com/hook", "scheme"),
    ("http:///hook", "host"),
    ("http://:80/hook", "host"),
    ("http:example.com", "host"),
    ("http://example.com:0/", "malformed"),
    ("http://example.com:65536/", "malformed"),
    ("http://example.com:-1/", "malformed"),
    ("http://example.com:8o/", "malformed"),
    ("http://[::1/", "malformed"),
    ("http://.example.com/", "malformed"),
])
def test_what_is_not_an_http_address_is_refused(url, code):
    with pytest.raises(outbound.AddressError) as error:
        outbound.parse(url)
    assert error.value.code == code


@pytest.mark.parametrize(("url", "target", "host_header"), [
    ("https://Hooks.Example.COM/in?a=1#part", ("https", "hooks.example.com", 443, "/in?a=1"), "hooks.example.com"),
    ("http://example.com:8080", ("http", "example.com", 8080, "/"), "example.com:8080"),
    ("http://example.com:80/x", ("http", "example.com", 80, "/x"), "example.com"),
    ("https://bücher.example/é", ("https", "xn--bcher-kva.example", 443, "/%C3%A9"), "xn--bcher-kva.example"),
    ("http://[2001:db8::1]:8443/", ("http", "2001:db8::1", 8443, "/"), "[2001:db8::1]:8443"),
    ("http://2130706433/", ("http", "2130706433", 80, "/"), "2130706433"),
    ("http://%31%32%37.0.0.1/", ("http", "127.0.0.1", 80, "/"), "127.0.0.1"),
    ("http://example.com?@127.0.0.1", ("http", "example.com", 80, "/?@127.0.0.1"), "example.com"),
])
def test_a_url_is_read_as_the_http_client_sends_it(url, target, host_header):
    parsed = outbound.parse(url)
    assert (parsed.scheme, parsed.host, parsed.port, parsed.path) == target
    assert parsed.host_header == host_header


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.255.0.1", "0.0.0.0", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
    "100.64.0.1", "192.0.2.1", "198.51.100.1", "203.0.113.5", "224.0.0.1", "239.1.2.3", "240.0.0.1",
    "255.255.255.255",
    "::1", "::", "fe80::1", "fe80::1%lo", "fc00::1", "fd12:3456::1", "ff02::1", "ff0e::1", "2001:db8::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "::ffff:0:0",
    "64:ff9b::7f00:1", "64:ff9b::a00:1", "2002:7f00:1::1", "2002:a00:1::",
])
def test_addresses_that_are_not_public_are_refused(address):
    assert not outbound.is_public(address)


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8",
                                     "64:ff9b::808:808", "2002:808:808::1"])
def test_public_addresses_pass(address):
    assert outbound.is_public(address)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://2130706433/", "http://0177.0.0.1/", "http://0x7f.1/", "http://127.1/",
    "http://0x7f000001/", "http://0.0.0.0/", "http://0/", "http://localhost/", "http://[::1]/", "http://[::]/",
    "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
])
def test_numeric_and_local_forms_of_the_loopback_are_refused_once_resolved(url):
    target = outbound.parse(url)
    with pytest.raises(outbound.AddressError) as error:
        outbound.resolve(target)
    assert error.value.code == "private"
    assert outbound.resolve(target, allow_private=True) == error.value.address


def test_a_name_with_one_private_address_among_public_ones_is_refused(dns):
    dns["mixed.test"] = [(PUBLIC, "10.0.0.7")]
    with pytest.raises(outbound.AddressError) as error:
        outbound.resolve(outbound.parse("https://mixed.test/"))
    assert error.value.address == "10.0.0.7"
    dns["public.test"] = [(PUBLIC, "2606:4700:4700::1111")]
    assert outbound.resolve(outbound.parse("https://public.test/")) == PUBLIC, "the first one"


def test_a_name_that_does_not_resolve_raises_an_os_error():
    with pytest.raises(OSError):
        outbound.resolve(outbound.parse("http://nowhere.invalid/"))


def test_the_connection_goes_to_the_checked_address_with_the_url_s_host_header(dns, receiver,
                                                                               no_outside_connections):
    port = receiver.server_address[1]
    dns["receiver.test"] = ["127.0.0.1", "10.9.9.9"]  # a second lookup would answer another address
    target = outbound.parse(f"http://receiver.test:{port}/hook?lead=7")
    address = outbound.resolve(target, allow_private=True)
    answer = outbound.post(target, address, b"{}", {"Content-Type": "application/json"}, timeout=5)
    assert answer.status_code == 200
    assert receiver.requests == [{"path": "/hook?lead=7", "host": f"receiver.test:{port}", "body": b"{}"}]
    assert dns.lookups == ["receiver.test"], "looked up once, by the check"
    assert no_outside_connections == [("127.0.0.1", port)]


def test_dns_rebinding_does_not_reach_the_loopback(dns, receiver, no_outside_connections):
    """Public when checked, 127.0.0.1 afterwards: the connection goes to the public address it was checked as."""
    port = receiver.server_address[1]
    dns["rebind.test"] = [PUBLIC, "127.0.0.1"]
    target = outbound.parse(f"http://rebind.test:{port}/hook")
    address = outbound.resolve(target)
    assert address == PUBLIC
    with pytest.raises(requests.ConnectionError):
        outbound.post(target, address, b"{}", {}, timeout=5)
    assert no_outside_connections == [(PUBLIC, port)]
    assert not receiver.requests
    with pytest.raises(outbound.AddressError):
        outbound.resolve(target)  # the next attempt checks the new answer


@pytest.mark.parametrize(("status", "phrase", "line"), [
    (500, None, "HTTP 500 Internal Server Error"),
    (400, "x" * 500, "HTTP 400 " + "x" * 191),
])
def test_of_an_answer_only_its_status_line_is_told(dns, receiver, status, phrase, line):
    receiver.status, receiver.phrase, receiver.answer = status, phrase, b"db_password=hunter2"
    dns["receiver.test"] = ["127.0.0.1"]
    target = outbound.parse(f"http://receiver.test:{receiver.server_address[1]}/")
    answer = outbound.post(target, outbound.resolve(target, allow_private=True), b"{}", {}, timeout=5)
    assert outbound.status_line(answer) == line


def _certificate(tmp_path, hostname):
    """A self-signed certificate for ``hostname``: (certificate file, key file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / f"{hostname}.pem", tmp_path / f"{hostname}.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    """An https receiver on 127.0.0.1 whose certificate is for ``served_name``; clients trust only it."""

    def start(served_name):
        cert_file, key_file = _certificate(tmp_path, served_name)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert_file))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)
        server_names = []
        context.sni_callback = lambda sock, name, ctx: server_names.append(name)
        server = serve(context)
        server.server_names = server_names
        servers.append(server)
        return server

    servers = []
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_https_to_the_checked_address_checks_the_certificate_of_the_host_name(dns, tls_receiver):
    server = tls_receiver("receiver.test")
    dns["receiver.test"] = ["127.0.0.1"]
    target = outbound.parse(f"https://receiver.test:{server.server_address[1]}/hook")
    answer = outbound.post(target, outbound.resolve(target, allow_private=True), b"{}", {}, timeout=5)
    assert answer.status_code == 200
    assert server.server_names == ["receiver.test"], "SNI names the host, not the address"
    assert server.requests[0]["host"] == f"receiver.test:{server.server_address[1]}"


def test_https_to_a_server_whose_certificate_is_for_another_name_fails(dns, tls_receiver):
    server = tls_receiver("elsewhere.test")
    dns["receiver.test"] = ["127.0.0.1"]
    target = outbound.parse(f"https://receiver.test:{server.server_address[1]}/hook")
    with pytest.raises(requests.exceptions.SSLError):
        outbound.post(target, outbound.resolve(target, allow_private=True), b"{}", {}, timeout=5)
    assert not server.requests


class TunnelProxy(BaseHTTPRequestHandler):
    """An https proxy of the environment: records each CONNECT and relays the bytes."""

    def do_CONNECT(self):
        self.server.tunnels.append(self.path)
        host, port = self.path.rsplit(":", 1)
        upstream = urllib3.util.connection.create_connection((host, int(port)), timeout=5)
        self.send_response(200)
        self.end_headers()
        sockets = [self.connection, upstream]
        while True:
            readable, _, _ = select.select(sockets, [], [], 5)
            if not readable:
                break
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    upstream.close()
                    return
                (upstream if sock is self.connection else self.connection).sendall(data)
        upstream.close()

    def log_message(self, *args):
        pass


def test_an_https_proxy_of_the_environment_is_asked_for_the_checked_address(dns, tls_receiver, monkeypatch):
    server = tls_receiver("receiver.test")
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), TunnelProxy)
    proxy.tunnels = []
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
        dns["receiver.test"] = ["127.0.0.1"]
        port = server.server_address[1]
        target = outbound.parse(f"https://receiver.test:{port}/hook")
        answer = outbound.post(target, outbound.resolve(target, allow_private=True), b"{}", {}, timeout=5)
        assert answer.status_code == 200
        assert proxy.tunnels == [f"127.0.0.1:{port}"]
        assert server.server_names == ["receiver.test"]
    finally:
        proxy.shutdown()
        proxy.server_close()
