"""A validating, recording HTTP proxy: ``connect-contract proxy --upstream URL``.

:mod:`.app` forwards and judges, :mod:`.judge` holds the rules (check-client's wire rules for the
request, check's server checks for the answer), :mod:`.recorder` appends redacted, lint-clean cassettes, and
:mod:`.report` prints and writes what happened.
"""
