"""Cassettes: record real interactions safely, lint them, replay them to clients, verify providers."""
