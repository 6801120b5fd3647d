"""How the world reaches Elope: the HTTP API, the command line, and the composition root."""
