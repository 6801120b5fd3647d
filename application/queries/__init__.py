"""Reads that change nothing: query services over the unit of work, used without the bus
(controllers receive them as dependencies)."""
