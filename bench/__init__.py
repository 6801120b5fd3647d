"""Elope's benchmark: the real preset on PostgreSQL, driven over HTTP by a separate load
generator, measured next to two floors (bare asyncpg, bare Litestar) in the same run.

    .venv/bin/python -m bench            # the full run, about a quarter of an hour
    .venv/bin/python -m bench --quick    # a smoke run, about a minute

`run.py` says which phase runs when; each phase has a file of its own.
"""
