"""Which sensitive values a request carried, where they could come back, and how text is scrubbed.

The values are test data the harness generated, never a user's secrets, but reports treat them as
secrets all the same.  Very short generated values ("0", "00") are neither searched for nor
scrubbed from free text: they would match status codes and request ids by chance.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import unquote

from connect_contract.protocol import parse_json
from connect_contract.redaction import scrub
from connect_contract.server.transport import Response

# The echo check only searches for values distinctive enough that finding them is not a coincidence.
MIN_ECHO_LENGTH = 8
MIN_ECHO_DISTINCT = 4
# Headers whose value the protocol or the transport fixes whatever the request said: a generated
# sensitive value that happens to read "application/json" is not echoed by a server that sends it.
FIXED_HEADERS = frozenset({"content-type", "content-length", "date"})
# Free text (messages, non-JSON bodies) is scrubbed of sensitive values at least this long.
MIN_SCRUB_LENGTH = 6


def distinctive_secrets(secrets: Iterable[str]) -> list[str]:
    return [s for s in secrets if len(s) >= MIN_ECHO_LENGTH and len(set(s)) >= MIN_ECHO_DISTINCT]


def scrubbed(text: str, secrets: Iterable[str]) -> str:
    return scrub(text, (s for s in secrets if len(s) >= MIN_SCRUB_LENGTH))


def searchable(response: Response) -> list[str]:
    """Every decoded form of the response a secret could hide in: headers, raw and JSON-decoded body."""
    headers = {k: v for k, v in response.headers.items() if k.lower() not in FIXED_HEADERS}
    texts = [f"{k}: {v}" for k, v in headers.items()]
    texts += [unquote(v) for v in headers.values()]
    texts.append(response.body.decode("utf-8", "replace"))
    ok, document = parse_json(response.body)
    if ok:
        texts.append(json.dumps(document, ensure_ascii=False))
    return texts


def echoes(response: Response, secrets: Iterable[str]) -> bool:
    texts = searchable(response)
    return any(secret in text for secret in secrets for text in texts)
