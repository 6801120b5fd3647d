"""One handler per command. Each is `async def (command, *, ports...)`, bound in bootstrap."""
