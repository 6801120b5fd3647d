"""The webhook pipeline: services, not command handlers. The inbox records each verified
Stripe event once and picks the one delivery that does the work; the event effects say what
each event type does; the paid session turns a payment into one booking or one refund."""
