#!/usr/bin/env python3
"""boto3 bridge for the e2e harness: runs AWS API calls against the moto endpoint.

Usage: python3 e2e/aws.py ENDPOINT REGION. Reads one JSON request per line from stdin:
  {"id": 1, "calls": [{"service": "ec2", "op": "describe_vpcs", "params": {...}, "region": "..."?}, ...]}
and writes one line per request:
  {"id": 1, "results": [{"ok": <response>} | {"error": {"code": ..., "message": ...}}, ...]}.
`op` is the boto3 method name (snake_case). Responses are JSON-encoded (datetimes as ISO strings,
bytes as UTF-8 text). Only the moto endpoint and the fake "testing" credentials are ever used.

One extra pseudo-service, "fixture", makes test data boto3 cannot:
  {"service": "fixture", "op": "self_signed_certificate", "params": {"domain": "x.example.com"}}
  (optional "ip": "127.0.0.1" adds an IP subject alternative name, for the HTTPS stand-in of the verify step)
  -> {"ok": {"certificate": PEM, "privateKey": PEM}}
"""
from __future__ import annotations

import datetime
import json
import sys
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def _self_signed_certificate(domain: str, ip: str | None = None) -> dict[str, str]:
    """Valid 397 days (the CA/Browser Forum maximum), so `npm run verify`'s "valid > 30 days" holds."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=397))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(domain), *([x509.IPAddress(ipaddress.ip_address(ip))] if ip else [])]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    return {
        "certificate": cert.public_bytes(serialization.Encoding.PEM).decode(),
        "privateKey": key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        ).decode(),
    }


def _encode(value: Any) -> Any:
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", errors="replace")
    if hasattr(value, "read"):
        return value.read().decode("utf-8", errors="replace")
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


class Bridge:
    def __init__(self, endpoint: str, region: str) -> None:
        if not endpoint.startswith(("http://127.0.0.1:", "http://localhost:")):
            raise SystemExit(f"refusing non-local endpoint {endpoint}")
        self.endpoint = endpoint
        self.region = region
        self.session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
        self.config = Config(retries={"max_attempts": 2, "mode": "standard"}, s3={"addressing_style": "path"})
        self.clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str) -> Any:
        client = self.clients.get((service, region))
        if client is None:
            client = self.session.client(service, region_name=region, endpoint_url=self.endpoint, config=self.config)
            self.clients[(service, region)] = client
        return client

    def call(self, call: dict[str, Any]) -> dict[str, Any]:
        service, op, params = call["service"], call["op"], call.get("params") or {}
        try:
            if service == "fixture":
                if op != "self_signed_certificate":
                    raise ValueError(f"unknown fixture {op}")
                return {"ok": _self_signed_certificate(params["domain"], params.get("ip"))}
            response = getattr(self.client(service, call.get("region") or self.region), op)(**params)
            response.pop("ResponseMetadata", None)
            if "Body" in response and hasattr(response["Body"], "read"):
                response["Body"] = response["Body"].read().decode("utf-8", errors="replace")
            return {"ok": response}
        except ClientError as e:
            err = e.response.get("Error", {})
            return {"error": {"code": err.get("Code", "ClientError"), "message": err.get("Message", str(e))}}
        except Exception as e:  # noqa: BLE001 - reported to the caller, which decides
            return {"error": {"code": type(e).__name__, "message": str(e)}}


def main() -> None:
    bridge = Bridge(sys.argv[1], sys.argv[2])
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        results = [bridge.call(c) for c in request["calls"]]
        sys.stdout.write(json.dumps({"id": request["id"], "results": results}, default=_encode) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
