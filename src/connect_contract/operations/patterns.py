"""A model ``pattern`` read as the service enforces it.

A few patterns in botocore's models do not say, as written, what the service checks:

- JavaScript regex literals: connect ``Password`` is ``/^(?=.*[a-z])...$/`` and dataexchange ``CatalogId``
  ``.*/^[\\d]{12}$/.*``.  The ``/`` delimiters make them unsatisfiable (``^`` after a literal ``/``); the
  inner text is the rule.
- Doubled escapes: connect ``PhoneNumber`` is ``\\\\+[1-9]\\\\d{1,14}$`` in the JSON model, a regex that asks
  for a literal backslash, while the documentation (and every caller) gives E.164 numbers such as
  ``+15555550100``.  Read with one backslash, as every other pattern of the model is escaped.

Judging a request by the pattern as written would call a correct server's answer to a valid request a
defect (and the mock would refuse what the service accepts), so contracts, checks and the mock all read
patterns through :func:`intended_pattern`.
"""

from __future__ import annotations

import re
from functools import cache

_DELIMITED = re.compile(r"^(?:\.\*)?/(\^.+\$)/(?:\.\*)?$|^/(.+)/$", re.DOTALL)
# A doubled backslash in front of what is plainly meant as an escape (a class, a quantifier or other
# metacharacter, a Unicode property): the model's JSON escaped the backslash twice.
_DOUBLED_ESCAPE = re.compile(r"\\\\(?=[dDsSwWpP+.?*()\[\]{}|^$/-])")


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


@cache
def intended_pattern(pattern: str) -> str:
    """The rule a model pattern means (the pattern itself when it is an ordinary one)."""
    delimited = _DELIMITED.match(pattern)
    if delimited is not None:
        inner = delimited.group(1) or delimited.group(2)
        if _compiles(inner):
            pattern = inner
    return _DOUBLED_ESCAPE.sub(r"\\", pattern)
