"""Use cases of Elope: commands, their handlers, the ports they need, and the message bus."""
