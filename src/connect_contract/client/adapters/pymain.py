"""The adapter protocol, adapter side, for adapters written in Python (the built-in ones and tests).

``serve(call)`` reads one JSON input from stdin and prints one result line (one-shot mode), or, when
``CONNECT_CONTRACT_MODE=lines``, answers one result line per input line until stdin closes.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

Result = dict[str, Any]
Call = Callable[[dict[str, Any]], Result]


def _emit(result: Result) -> None:
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def serve(make_call: Callable[[], Call]) -> None:
    """Run an adapter: ``make_call()`` builds the client once; the returned function makes one call."""
    call = make_call()
    if os.environ.get("CONNECT_CONTRACT_MODE") == "lines":
        for line in sys.stdin:
            if line.strip():
                _emit(call(json.loads(line)))
        return
    _emit(call(json.loads(sys.stdin.read())))
