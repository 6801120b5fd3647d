"""Piccolo migrations of the real preset, applied by `elope migrate`.

Every migration is idempotent DDL (IF NOT EXISTS ...), so applying it twice, or from two
processes at once, is harmless; the runner also serializes concurrent runs with an advisory lock.

A migration is frozen history: it imports no application code (whose tables change over time),
only Piccolo, and runs its raw SQL through a table class of its own.
"""
