"""The notification a commit sends when it wrote outbox messages, so every instance's relay
wakes for work committed by any instance, not only its own."""

from __future__ import annotations

from collections.abc import Callable

from adapters.piccolo.notification_listener import NotificationListener

OUTBOX_CHANNEL = "elope_outbox"


class OutboxNotifications(NotificationListener):
    """A listener for the outbox channel alone. Each (re)connect wakes the relay once: what was
    notified while nobody listened is otherwise left to the periodic sweep. (An instance
    listens to its other channels on the same connection: see entrypoints/bootstrap.py.)"""

    def __init__(self, dsn: str, on_notify: Callable[[], None], retry_seconds: float = 5.0) -> None:
        super().__init__(dsn, {OUTBOX_CHANNEL: lambda _payload: on_notify()},
                         on_connect=on_notify, retry_seconds=retry_seconds,
                         application_name="elope-outbox-listener")
