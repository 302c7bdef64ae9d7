"""The operation's semantics, which botocore's model cannot express.

The model marks ``Code``, ``Error`` and ``ErrorDescription`` all optional and says nothing about the
``State`` life cycle or which modeled error reports what.  The API documentation does ("if a code is
provided ... if an error is provided ..."), and the mock implements that reading, documented in
docs/mock.md.  The names below are therefore the mock's *rules*, not copies of model facts: each one is
checked against the model at import, so a renamed member or error fails loudly instead of drifting.
"""

from __future__ import annotations

from typing import Any

from connect_contract.model import load_operation

CODE = "Code"
ERROR = "Error"
ERROR_DESCRIPTION = "ErrorDescription"
STATE = "State"
INSTANCE_ID = "InstanceId"

# Which modeled error the mock answers for each kind of problem.
PARAMETER_ERROR = "InvalidParameterException"  # member type, missing/null required, length, pattern
REQUEST_ERROR = "InvalidRequestException"  # semantics (Code xor Error), unknown State (stateful mode)
CONFLICT_ERROR = "ConflictException"  # State already completed (stateful mode)


def _check_against_model() -> None:
    op = load_operation()
    for member in (CODE, ERROR, ERROR_DESCRIPTION, STATE, INSTANCE_ID):
        op.member(member)  # KeyError when the model no longer has it
    for error in (PARAMETER_ERROR, REQUEST_ERROR, CONFLICT_ERROR):
        op.error(error)


_check_against_model()


def semantic_problem(params: dict[str, Any]) -> str | None:
    """Exactly one of Code or Error; ErrorDescription only together with Error."""
    has_code, has_error = CODE in params, ERROR in params
    if has_code and has_error:
        return f"Exactly one of {CODE} or {ERROR} must be provided, not both"
    if not has_code and not has_error:
        return f"Exactly one of {CODE} or {ERROR} must be provided"
    if ERROR_DESCRIPTION in params and not has_error:
        return f"{ERROR_DESCRIPTION} is only allowed together with {ERROR}"
    return None
