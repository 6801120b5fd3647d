"""What the storm through the deployment is made of, and what it must show: `Outcome` holds
what happened, and `failures()` says, in sentences, every way it differs from one booking per
date, every losing payment refunded and every email once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

# Client addresses: Linux routes all of 127.0.0.0/8 to loopback, so nginx sees each as a
# different client. 127.0.0.1 is nginx's own (the trusted proxy).
FIRST_CLIENTS = [f"127.0.0.{n}" for n in range(2, 7)]
LATE_CLIENT = "127.0.0.7"
LOCK_PROBE_CLIENT = "127.0.0.8"
FORGED = "203.0.113.9"
HOLDS_EACH = 2  # HOLDS_PER_CLIENT in the rig
PAID_TWICE = 4  # dates also paid by a second session Elope never held
COPIES = 3  # each event delivered this many times at once


@dataclass
class Outcome:
    """What happened in one storm, as the storm (storm.py) saw it and PostgreSQL recorded it."""

    dates: list[str] = field(default_factory=list)
    checkouts: dict[str, int] = field(default_factory=dict)  # "client #n" -> status
    over_limit: int = 0  # the first client's third hold
    over_limit_forged: int = 0  # the same, with a forged X-Forwarded-For
    limit_keys: set[str] = field(default_factory=set)  # whom Elope counted checkouts for
    lock_probe: tuple[int, str] = (0, "")  # a checkout for a date locked elsewhere
    nginx_edge: dict[str, int] = field(default_factory=dict)  # what nginx answers by itself
    paid_sessions: set[str] = field(default_factory=set)
    deliveries: int = 0
    delivery_statuses: Counter[int] = field(default_factory=Counter)
    per_instance_webhooks: list[float] = field(default_factory=list)
    paid_per_date: dict[str, int] = field(default_factory=dict)
    losing_sessions: set[str] = field(default_factory=set)
    refunded_sessions: set[str] = field(default_factory=set)
    sent_mail: Counter[str] = field(default_factory=Counter)  # "confirmation" / "refund"
    email_timeline_entries: int = 0  # one per email sent, on its booking's timeline
    confirmation_files: list[str] = field(default_factory=list)  # the To: of each file
    booked_emails: list[str] = field(default_factory=list)
    unsettled_events: int = 0
    # Who holds each instance's liveness lock (application_name): its listener's session.
    liveness_locks: list[str] = field(default_factory=list)

    def failures(self) -> list[str]:
        """Each expectation this outcome misses, as a sentence (none: the storm passed)."""
        expected_keys = {*FIRST_CLIENTS, LATE_CLIENT, LOCK_PROBE_CLIENT}
        checks = [
            (all(s == 201 for s in self.checkouts.values()),
             f"every checkout within the hold limit is created: {self.checkouts}"),
            (self.over_limit == 429, f"a client's third hold is refused 429: {self.over_limit}"),
            (self.over_limit_forged == 429,
             f"a forged X-Forwarded-For gives no new client: {self.over_limit_forged}"),
            (self.limit_keys == expected_keys,
             f"Elope counts checkouts for the addresses nginx saw, never nginx's own or a "
             f"forged one: {sorted(self.limit_keys)}"),
            (self.lock_probe[0] == 409,
             f"a date locked elsewhere answers 409 after the lock timeout: {self.lock_probe}"),
            (self.nginx_edge.get("json 1.5 MiB") == 413 and self.nginx_edge.get("webhook 5 MiB") == 413
             and self.nginx_edge.get("webhook 3 MiB", 413) not in (413, 0),
             f"nginx refuses (413) what Elope would, and lets a 3 MiB webhook reach Elope: "
             f"{self.nginx_edge}"),
            (self.nginx_edge.get("GET /metrics") == 404,
             f"nginx does not publish /metrics: {self.nginx_edge}"),
            (set(self.delivery_statuses) <= {200, 409},
             f"deliveries answer 200 or 409 (being processed), no 5xx: {self.delivery_statuses}"),
            (len(self.per_instance_webhooks) == 2 and min(self.per_instance_webhooks) > 0,
             f"both instances handled webhooks: {self.per_instance_webhooks}"),
            (self.paid_per_date == dict.fromkeys(self.dates, 1),
             f"one paid booking per date: {self.paid_per_date}"),
            (len(self.losing_sessions) == PAID_TWICE
             and self.refunded_sessions == self.losing_sessions,
             f"exactly the {PAID_TWICE} losing payments are refunded: "
             f"{len(self.refunded_sessions)} refunded, {len(self.losing_sessions)} lost"),
            (self.sent_mail == Counter(confirmation=len(self.dates), refund=PAID_TWICE),
             f"one confirmation per date and one apology per refund: {dict(self.sent_mail)}"),
            (self.email_timeline_entries == len(self.dates) + PAID_TWICE,
             f"each email is on the timeline once: {self.email_timeline_entries}"),
            (sorted(self.confirmation_files) == sorted(self.booked_emails),
             f"each booked couple's confirmation is written once: "
             f"{len(self.confirmation_files)} files for {len(self.booked_emails)} bookings"),
            (self.unsettled_events == 0, f"every event is processed: {self.unsettled_events}"),
            (self.liveness_locks == ["elope-listener"] * 2,
             f"each instance's liveness lock is held by its listener's own session, not a"
             f" pooled connection: {self.liveness_locks}"),
        ]
        return [sentence for passed, sentence in checks if not passed]
