"""Any operation of any rest-json service botocore ships, as one object passed through the code.

:func:`resolve_operations` turns ``--service``/``--operation`` (a name, ``all`` or a glob) into
:class:`ServiceOperation` objects built on botocore's own models; :mod:`.options` is the click
option pair every command reuses.
"""

from connect_contract.operations.bindings import Binding, Location, ModeledError, ServiceOperation
from connect_contract.operations.service import (
    ALL_OPERATIONS,
    DEFAULT_OPERATION,
    DEFAULT_SERVICE,
    OperationLookupError,
    UnsupportedProtocolError,
    available_services,
    load_raw,
    load_service,
    load_service_operation,
    mission_operation,
    resolve_operations,
)

__all__ = [
    "ALL_OPERATIONS",
    "DEFAULT_OPERATION",
    "DEFAULT_SERVICE",
    "Binding",
    "Location",
    "ModeledError",
    "OperationLookupError",
    "ServiceOperation",
    "UnsupportedProtocolError",
    "available_services",
    "load_raw",
    "load_service",
    "load_service_operation",
    "mission_operation",
    "resolve_operations",
]
