"""Local stand-ins for outside services - Stripe Checkout, the mail server, the business
calendar - so the mock preset (and the real one, until its adapters land) runs with no account."""
