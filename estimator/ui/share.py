"""Share links: a scenario as a compressed base64url token for the `?s=` query parameter."""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from typing import Any

from estimator.errors import ScenarioError
from estimator.safe_yaml import check_data

QUERY_KEY = "s"
MAX_TOKEN_CHARS = 200_000
"""Longest `?s=` token read: far above a real scenario, small enough to refuse junk early."""
MAX_INFLATED_BYTES = 5 * 1024 * 1024


def encode(data: dict[str, Any]) -> str:
    """A scenario dict -> compact JSON -> zlib -> base64url without padding."""
    raw = json.dumps(data, separators=(",", ":"), sort_keys=False).encode("utf-8")
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")


def decode(token: str) -> dict[str, Any]:
    """The scenario dict of a share token, or ScenarioError saying why it cannot be read."""
    token = token.strip()
    if not token:
        raise ScenarioError(["(link): the shared link holds no scenario"])
    if len(token) > MAX_TOKEN_CHARS:
        raise ScenarioError(["(link): the shared link is too long to be a scenario"])
    try:
        padded = token + "=" * (-len(token) % 4)
        packed = base64.b64decode(padded, altchars=b"-_", validate=True)
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_INFLATED_BYTES)
        if inflater.unconsumed_tail:
            raise ScenarioError(["(link): the shared scenario is larger than 5 MB"])
        if not inflater.eof:
            raise ValueError("truncated")
        data = json.loads(raw.decode("utf-8"))
    except (binascii.Error, zlib.error, UnicodeDecodeError, ValueError):
        raise ScenarioError(
            ["(link): the shared link is damaged (was it cut short when copied?)"]
        ) from None
    except RecursionError:
        raise ScenarioError(["(link): the shared scenario nests too deeply"]) from None
    if not isinstance(data, dict):
        raise ScenarioError(["(link): the shared link does not hold a scenario"])
    return check_data(data, where="(link)")
