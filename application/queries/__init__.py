"""Reads that change nothing: they use the unit of work directly, without the bus."""
