"""Client conformance: run any client against scripted responses and judge what it sent and raised."""
