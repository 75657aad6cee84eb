"""multipart/mixed statement bodies, attachment hashes, and JWS-signed statements."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from learnflow.lrs import jsonio
from learnflow.lrs.http import XapiError

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
_HASHES = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}


@dataclass
class Part:
    headers: dict[str, str]
    content: bytes


def _boundary(content_type_header: str) -> str:
    for bit in content_type_header.split(";")[1:]:
        name, _, value = bit.strip().partition("=")
        if name.strip().lower() == "boundary":
            return value.strip().strip('"')
    raise XapiError(400, "multipart/mixed body without a boundary")


def parse_multipart(body: bytes, content_type_header: str) -> list[Part]:
    boundary = b"--" + _boundary(content_type_header).encode()
    chunks = body.split(boundary)
    if len(chunks) < 3:
        raise XapiError(400, "multipart body has no parts")
    parts = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk.lstrip(b"\n")
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            head, sep, content = chunk.partition(b"\n\n")
            if not sep:
                raise XapiError(400, "multipart part without a header block")
        if content.endswith(b"\r\n"):
            content = content[:-2]
        elif content.endswith(b"\n"):
            content = content[:-1]
        headers = {}
        for line in head.decode("latin-1").splitlines():
            if ":" in line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        parts.append(Part(headers, content))
    return parts


def split_statement_parts(body: bytes, content_type_header: str) -> tuple[Any, dict[str, Part]]:
    """Return (decoded statements JSON, {sha2: attachment part})."""
    parts = parse_multipart(body, content_type_header)
    first = parts[0]
    if not first.headers.get("content-type", "").lower().startswith("application/json"):
        raise XapiError(400, "the first part of a multipart/mixed body must be application/json")
    try:
        statements = jsonio.strict_loads(first.content)
    except (UnicodeDecodeError, ValueError) as exc:
        raise XapiError(400, f"statement part is not valid JSON: {exc}") from None
    if b"\\u0000" in first.content:
        from learnflow.lrs.http import refuse_nul

        refuse_nul(statements)
    by_hash: dict[str, Part] = {}
    for part in parts[1:]:
        sha2 = part.headers.get("x-experience-api-hash")
        if not sha2:
            raise XapiError(400, "attachment part without an X-Experience-API-Hash header")
        encoding = part.headers.get("content-transfer-encoding", "binary").lower()
        if encoding != "binary":
            raise XapiError(400, "attachment parts must use Content-Transfer-Encoding: binary")
        hasher = _HASHES.get(len(sha2))
        if hasher is None or hasher(part.content).hexdigest() != sha2.lower():
            raise XapiError(400, f"attachment content does not match its hash {sha2}")
        by_hash[sha2.lower()] = part
    return statements, by_hash


def match_attachments(statements: list[dict[str, Any]], parts: dict[str, Part]) -> dict[str, Part]:
    """Every attachment without fileUrl needs a part; every part needs an attachment."""
    declared: set[str] = set()
    for statement in statements:
        for attachment in statement.get("attachments") or ():
            sha2 = attachment["sha2"].lower()
            declared.add(sha2)
            if sha2 not in parts and "fileUrl" not in attachment:
                raise XapiError(400, f"no part carries the attachment with sha2 {sha2}")
    extra = set(parts) - declared
    if extra:
        raise XapiError(400, f"parts not declared by any attachment: {', '.join(sorted(extra))}")
    return parts


# ----------------------------------------------------------------------------- signatures


def _b64url(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


_SIGNED_IGNORED = {"id", "authority", "stored", "version", "attachments", "timestamp"}


def _comparable(statement: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    # What the LRS adds (id, timestamp when absent; authority, stored, version) cannot be in the signed payload.
    ignored = {k for k in _SIGNED_IGNORED if k not in payload or k in {"authority", "stored", "version", "attachments"}}
    out = {k: v for k, v in statement.items() if k not in ignored}
    duration = (out.get("result") or {}).get("duration")
    if isinstance(duration, str):
        # Durations compare to 0.01 s precision (xAPI 2.0, 4.2.7).
        out["result"] = {**out["result"], "duration": _DURATION_FRACTION.sub(lambda m: m.group(1)[:3] + "S", duration)}
    return out


_DURATION_FRACTION = re.compile(r"(\.\d+)S$")


def verify_signatures(statements: list[dict[str, Any]], parts: dict[str, Part]) -> None:
    for statement in statements:
        for attachment in statement.get("attachments") or ():
            if attachment.get("usageType") != SIGNATURE_USAGE:
                continue
            if attachment.get("contentType") != "application/octet-stream":
                raise XapiError(400, "a signature attachment must have contentType application/octet-stream")
            part = parts.get(attachment["sha2"].lower())
            if part is None:
                raise XapiError(400, "the signature attachment's content is missing")
            _verify_jws(statement, part.content)


def _verify_jws(statement: dict[str, Any], token: bytes) -> None:
    try:
        header_b64, payload_b64, signature_b64 = token.decode("ascii").strip().split(".")
        header = json.loads(_b64url(header_b64))
        payload = json.loads(_b64url(payload_b64))
        signature = _b64url(signature_b64)
    except (ValueError, UnicodeDecodeError):
        raise XapiError(400, "the signature is not a JWS in compact serialization") from None
    algorithm = header.get("alg")
    if algorithm not in ("RS256", "RS384", "RS512"):
        raise XapiError(400, f"JWS algorithm {algorithm!r} is not RS256, RS384 or RS512")
    if not isinstance(payload, dict):
        raise XapiError(400, "the JWS payload is not a statement")
    if _comparable(payload, payload) != _comparable(statement, payload):
        raise XapiError(400, "the JWS payload does not match the statement")
    if header.get("x5c"):
        _verify_rsa(header, f"{header_b64}.{payload_b64}".encode("ascii"), signature, algorithm)


def _verify_rsa(header: dict[str, Any], signing_input: bytes, signature: bytes, algorithm: str) -> None:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        cert = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    except (ValueError, TypeError, IndexError):
        raise XapiError(400, "the JWS x5c certificate cannot be read") from None
    digest = {"RS256": hashes.SHA256(), "RS384": hashes.SHA384(), "RS512": hashes.SHA512()}[algorithm]
    try:
        cert.public_key().verify(signature, signing_input, padding.PKCS1v15(), digest)  # type: ignore[union-attr]
    except (InvalidSignature, TypeError, AttributeError):
        raise XapiError(400, "the JWS signature does not verify against its x5c certificate") from None
