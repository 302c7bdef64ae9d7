"""Server conformance: does an implementation (mock, proxy, double, real AWS) answer as the contract says?

``connect-contract check`` (:mod:`.cli`) and ``pytest tests/conformance --endpoint URL``
(:mod:`.fixtures`) both drive :func:`connect_contract.server.runner.run`: deterministic vectors
(:mod:`.vectors`, data in ``contracts/vectors/server.json``) and schemathesis-generated cases
(:mod:`.generated`), sent by a bounded-time sender (:mod:`.transport`) and judged by the checks
(:mod:`.checks`).
"""
