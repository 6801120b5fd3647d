"""Postmark's HTTP email API: the real preset's Mailer."""
