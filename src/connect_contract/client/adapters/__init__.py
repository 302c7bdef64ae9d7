"""Adapters: the protocol runner (any client, any language) and the built-in adapters for boto3, the
AWS CLI and the AWS SDK for JavaScript v3."""
