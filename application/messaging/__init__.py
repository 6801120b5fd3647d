"""How messages move: the bus runs a command's one handler; the outbox relay hands the
events a transaction wrote to the publisher, which fans them out to subscribers over pyee."""
