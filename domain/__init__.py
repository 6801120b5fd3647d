"""Elope's domain: plain Python, no I/O, no framework."""
