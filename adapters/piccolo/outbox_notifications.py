"""The channel a commit notifies when it wrote outbox messages, so every instance's relay
wakes for work committed by any instance, not only its own (the listener:
notification_listener.py, wired in entrypoints/bootstrap.py)."""

from __future__ import annotations

OUTBOX_CHANNEL = "elope_outbox"
