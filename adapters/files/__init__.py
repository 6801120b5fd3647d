"""Adapters whose storage is the local file system."""
