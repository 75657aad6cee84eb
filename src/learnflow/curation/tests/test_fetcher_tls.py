"""https through the pinned connection: the certificate is checked against the host name (sent as SNI) while the
connection goes to the address that was vetted."""
from __future__ import annotations

import datetime as dt
import http.server
import socket
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from learnflow.curation import fetcher
from learnflow.curation.fetcher import FetchError, fetch

HOST = "feeds.tls.test"


@pytest.fixture
def tls_server(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    seen_sni = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = b"<rss version='2.0'><channel><title>tls</title></channel></rss>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    context.sni_callback = lambda sock, server_name, ctx: seen_sni.append(server_name)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1], str(cert_path), seen_sni
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def resolves_to_loopback(monkeypatch):
    real = socket.getaddrinfo

    def resolver(host, port, *args, **kw):
        if host == HOST:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kw)

    monkeypatch.setattr(fetcher.socket, "getaddrinfo", resolver)


def test_an_untrusted_certificate_is_refused(settings, tls_server, resolves_to_loopback):
    port, _, _ = tls_server
    settings.LEARNFLOW_FETCH_ALLOW = [f"127.0.0.1:{port}"]
    with pytest.raises(FetchError) as caught:
        fetch(f"https://{HOST}:{port}/feed")
    assert caught.value.reason == "tls"


def test_https_sends_the_host_name_as_sni_and_checks_the_certificate_against_it(
        settings, tls_server, resolves_to_loopback, monkeypatch):
    port, ca_file, seen_sni = tls_server
    settings.LEARNFLOW_FETCH_ALLOW = [f"127.0.0.1:{port}"]
    trusting = ssl.create_default_context(cafile=ca_file)
    monkeypatch.setattr(fetcher.ssl, "create_default_context", lambda: trusting)
    result = fetch(f"https://{HOST}:{port}/feed")
    assert result.status == 200 and seen_sni == [HOST]
