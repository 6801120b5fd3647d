"""Small local stand-ins for Stripe, Postmark and Google, served over real HTTP, so the real
adapters are tested byte for byte against what they send (no stripe-mock exists here)."""
