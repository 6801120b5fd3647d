"""The mock preset: every port kept in process memory, with the database's invariants."""
