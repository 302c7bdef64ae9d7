"""Shims for schemathesis 4.32 on pytest 9.2 (see the library notes).

pytest 9.2 replaced ``Node._nodeid`` with ``Node._id`` (schemathesis' ``from_fixture`` still reads
the old name) and builds parametrized nodeids from ``originalname``, so schemathesis items collide.
Both shims are no-ops on versions that do not need them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import _pytest.nodes


def install() -> None:
    node: Any = _pytest.nodes.Node
    if hasattr(node, "_nodeid") or not hasattr(node, "_id"):
        return
    try:
        from _pytest.nodeid import coerce_node_id  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - older pytest has _nodeid already
        return
    node._nodeid = property(lambda self: str(self._id), lambda self, v: setattr(self, "_id", coerce_node_id(v)))


def unique_parametrized_ids(items: Sequence[Any]) -> None:
    for item in items:
        original = getattr(item, "originalname", None)
        if not original or not hasattr(item, "_id") or not hasattr(item.parent, "id"):
            continue
        suffix = item.name[len(original) :]
        if suffix.startswith("[") and not item.nodeid.endswith(suffix):
            item._id = item.parent.id.child(original).with_params(suffix[1:-1])
