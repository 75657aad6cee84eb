"""The fetcher refuses to be pointed at the inside of the network, before connecting and after every redirect, and
bounds redirects, size and time. Refused addresses are never connected to: every refusal here happens before any
packet is sent."""
from __future__ import annotations

import ipaddress
import socket

import pytest

from learnflow.curation import fetcher
from learnflow.curation.fetcher import FetchError, address_refusal, fetch

FEED = b"<rss version='2.0'><channel><title>t</title></channel></rss>"


def ok(body: bytes = FEED, **headers: str):
    return lambda handler: (200, {"Content-Type": "application/rss+xml", "Content-Length": str(len(body)), **headers},
                            body)


def redirect(location: str, status: int = 302):
    return lambda handler: (status, {"Location": location, "Content-Length": "0"}, b"")


def refused(url: str, **kw) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch(url, **kw)
    return caught.value


# --- refusals before any connection -----------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://127.0.0.1:8000/feed", "http://localhost/", "http://[::1]/", "http://10.0.0.1/",
    "http://10.255.1.2:8080/x", "http://192.168.1.1/", "http://172.16.0.1/", "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/", "http://100.64.0.1/", "http://0.0.0.0/", "http://[::]/", "http://224.0.0.1/",
    "http://[::ffff:127.0.0.1]/", "http://[::ffff:10.0.0.1]/", "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::a00:1]/", "http://[2002:7f00:1::]/", "http://240.0.0.1/", "http://[fe80::1]/",
])
def test_internal_addresses_are_refused(url):
    assert refused(url).reason == "forbidden_address"


def test_metadata_address_is_named_in_the_refusal():
    assert "metadata" in refused("http://169.254.169.254/latest/meta-data/").message


def test_ipv4_mapped_loopback_is_refused_as_loopback():
    assert address_refusal(ipaddress.ip_address("::ffff:127.0.0.1")).startswith("a loopback address")


def test_public_addresses_pass_the_policy():
    assert address_refusal(ipaddress.ip_address("93.184.215.14")) is None
    assert address_refusal(ipaddress.ip_address("2606:2800:21f:cb07:6820:80da:af6b:8b2c")) is None


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/feed", "gopher://example.org/",
                                 "javascript:alert(1)", "//example.org/feed"])
def test_only_http_and_https_are_fetched(url):
    assert refused(url).reason == "scheme"


def test_a_name_that_resolves_to_a_private_address_is_refused(monkeypatch):
    monkeypatch.setattr(fetcher.socket, "getaddrinfo",
                        lambda host, port, **kw: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))])
    error = refused("https://feeds.example.com/rss")
    assert error.reason == "forbidden_address"
    assert "feeds.example.com (10.1.2.3)" in error.message


def test_a_name_with_one_private_address_among_public_ones_is_refused(monkeypatch):
    answers = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443)),
               (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.168.0.10", 443))]
    monkeypatch.setattr(fetcher.socket, "getaddrinfo", lambda host, port, **kw: answers)
    assert refused("https://mixed.example.com/rss").reason == "forbidden_address"


def test_localhost_by_name_is_refused():
    assert refused("http://localhost:8000/").reason == "forbidden_address"


def test_a_name_that_does_not_resolve_is_a_dns_error(monkeypatch):
    def fail(*args, **kw):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(fetcher.socket, "getaddrinfo", fail)
    assert refused("https://nowhere.invalid/feed").reason == "dns"


# --- the allow-list ---------------------------------------------------------------------------------------------

def test_an_allow_listed_address_and_port_is_fetched(settings, feed_server):
    feed_server.routes["/feed"] = ok()
    settings.LEARNFLOW_FETCH_ALLOW = [feed_server.allow]
    result = fetch(feed_server.url("/feed"))
    assert (result.status, result.content) == (200, FEED)


def test_an_allow_listed_network_permits_its_addresses(settings, feed_server):
    feed_server.routes["/feed"] = ok()
    settings.LEARNFLOW_FETCH_ALLOW = ["127.0.0.0/8"]
    assert fetch(feed_server.url("/feed")).status == 200


def test_allow_listing_one_port_does_not_open_the_others(settings, feed_server):
    settings.LEARNFLOW_FETCH_ALLOW = [feed_server.allow]
    assert refused(f"http://127.0.0.1:{feed_server.port + 1}/").reason == "forbidden_address"


def test_the_connection_goes_to_the_vetted_address_without_a_second_lookup(settings, feed_server, monkeypatch):
    # A rebinding resolver would answer differently the second time; the fetcher must not ask twice.
    lookups = []
    real_getaddrinfo = socket.getaddrinfo

    def resolver(host, port, *args, **kw):
        if host[0].isdigit():  # connecting to a numeric address resolves nothing
            return real_getaddrinfo(host, port, *args, **kw)
        lookups.append(host)
        address = "127.0.0.1" if len(lookups) == 1 else "10.9.9.9"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(fetcher.socket, "getaddrinfo", resolver)
    feed_server.routes["/feed"] = ok()
    settings.LEARNFLOW_FETCH_ALLOW = [feed_server.allow]
    result = fetch(f"http://feeds.rebind.test:{feed_server.port}/feed")
    assert result.content == FEED
    assert lookups == ["feeds.rebind.test"]
    assert feed_server.requests[0]["host"] == f"feeds.rebind.test:{feed_server.port}"


# --- redirects --------------------------------------------------------------------------------------------------

def test_a_redirect_to_another_loopback_port_is_refused(settings, feed_server):
    # The first hop is allow-listed (this server's port only); the hop it redirects to is 127.0.0.1 elsewhere.
    feed_server.routes["/feed"] = redirect("http://127.0.0.1:9/admin")
    settings.LEARNFLOW_FETCH_ALLOW = [feed_server.allow]
    error = refused(feed_server.url("/feed"))
    assert error.reason == "forbidden_address"
    assert "127.0.0.1:9" in error.message


@pytest.mark.parametrize("target", ["http://127.0.0.2/", "http://[::1]/", "http://169.254.169.254/latest/meta-data/",
                                    "http://localhost/", "http://10.0.0.1/"])
def test_a_redirect_into_the_internal_network_is_refused(settings, feed_server, target):
    feed_server.routes["/feed"] = redirect(target, status=301)
    settings.LEARNFLOW_FETCH_ALLOW = [feed_server.allow]
    assert refused(feed_server.url("/feed")).reason == "forbidden_address"
    assert len(feed_server.requests) == 1


def test_a_redirect_to_another_scheme_is_refused(settings, feed_server):
    feed_server.routes["/feed"] = redirect("file:///etc/passwd")
    settings.LEARNFLOW_FETCH_ALLOW = [feed_server.allow]
    assert refused(feed_server.url("/feed")).reason == "scheme"


def test_redirects_within_the_allowed_server_are_followed(settings, feed_server):
    feed_server.routes["/old"] = redirect("/new", status=301)
    feed_server.routes["/new"] = ok()
    settings.LEARNFLOW_FETCH_ALLOW = [feed_server.allow]
    result = fetch(feed_server.url("/old"))
    assert (result.url, result.redirects, result.content) == (feed_server.url("/new"), 1, FEED)


def test_more_redirects_than_the_limit_are_refused(settings, feed_server):
    feed_server.routes["/loop"] = redirect("/loop")
    settings.LEARNFLOW_FETCH_ALLOW = [feed_server.allow]
    assert refused(feed_server.url("/loop"), max_redirects=3).reason == "too_many_redirects"
    assert len(feed_server.requests) == 4


# --- size and time ----------------------------------------------------------------------------------------------

def test_a_declared_size_over_the_limit_is_refused_before_reading(settings, feed_server):
    feed_server.routes["/big"] = ok(b"x" * 4096)
    settings.LEARNFLOW_FETCH_ALLOW = [feed_server.allow]
    assert refused(feed_server.url("/big"), max_bytes=1024).reason == "too_large"


def test_an_undeclared_size_over_the_limit_stops_the_read(settings, feed_server):
    # No Content-Length: the body runs until the server closes, and the fetcher stops at the limit.
    feed_server.routes["/stream"] = lambda handler: (200, {"Content-Type": "text/xml"}, b"x" * 200_000)
    settings.LEARNFLOW_FETCH_ALLOW = [feed_server.allow]
    assert refused(feed_server.url("/stream"), max_bytes=10_000).reason == "too_large"


def test_a_server_that_never_answers_times_out(settings, silent_server):
    settings.LEARNFLOW_FETCH_ALLOW = [f"127.0.0.1:{silent_server}"]
    assert refused(f"http://127.0.0.1:{silent_server}/", total_timeout=0.3).reason == "timeout"


def test_a_closed_port_is_a_connection_error(settings):
    settings.LEARNFLOW_FETCH_ALLOW = ["127.0.0.1"]
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # bound, never listened: nothing answers there
    assert refused(f"http://127.0.0.1:{port}/").reason == "connection"


def test_an_error_status_is_reported(settings, feed_server):
    settings.LEARNFLOW_FETCH_ALLOW = [feed_server.allow]
    error = refused(feed_server.url("/missing"))
    assert (error.reason, error.message) == ("http_status", "The server answered 404.")


# --- conditional requests ---------------------------------------------------------------------------------------

def test_validators_are_sent_and_a_304_comes_back_as_not_modified(settings, feed_server):
    def conditional(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"ETag": '"v1"', "Content-Length": str(len(FEED))}, FEED

    feed_server.routes["/feed"] = conditional
    settings.LEARNFLOW_FETCH_ALLOW = [feed_server.allow]
    first = fetch(feed_server.url("/feed"))
    second = fetch(feed_server.url("/feed"), etag=first.etag, last_modified="Mon, 02 Nov 2026 10:00:00 GMT")
    assert (first.etag, second.not_modified, second.content) == ('"v1"', True, b"")
    assert feed_server.requests[1]["if-modified-since"] == "Mon, 02 Nov 2026 10:00:00 GMT"


def test_allow_list_entries_are_parsed():
    parsed = [fetcher._parse_allow_entry(e) for e in ["10.0.0.0/8", "[::1]:8080", "intranet.example.com:443",
                                                      "192.168.1.5"]]
    assert [(str(p.network) if p.network else p.host, p.port) for p in parsed] == [
        ("10.0.0.0/8", None), ("::1/128", 8080), ("intranet.example.com", 443), ("192.168.1.5/32", None)]
