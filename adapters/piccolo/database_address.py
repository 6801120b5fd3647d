"""DATABASE_URL: where it points, without its password, for the lines an operator reads; and
the mistakes asyncpg would only find at the first connection (another scheme, a port that is
not a number), found when the settings are read."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

SCHEMES = ("postgresql", "postgres")
DEFAULT_PORT = "5432"
EXAMPLE = "postgresql://USER:PASSWORD@HOST:5432/DATABASE"


@dataclass(frozen=True)
class DatabaseAddress:
    """The database a URL names, its user and its server(s) as `host:port`."""

    database: str
    user: str
    servers: tuple[str, ...]

    @classmethod
    def of(cls, url: str) -> DatabaseAddress:
        """Read as asyncpg reads it (query parameters override the URL's parts; the database
        defaults to the user's name); ValueError, in words that never repeat the password,
        for a URL asyncpg would refuse or misread."""
        scheme, found, _ = url.partition("://")
        if not found or scheme.lower() not in SCHEMES:
            got = f"a {scheme}:// URL" if found else "a value without postgresql://"
            raise ValueError(f"must be a PostgreSQL URL such as {EXAMPLE}, got {got}")
        parts = urlsplit(url)
        userinfo, _, hostlist = parts.netloc.rpartition("@")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        user = query.get("user") or unquote(userinfo.partition(":")[0]) or _local_user()
        hosts = [_split(spec) for spec in hostlist.split(",") if spec]
        if "host" in query:
            hosts = [(unquote(h), "") for h in query["host"].split(",")]
        if "port" in query:
            ports = query["port"].split(",")
            hosts = [(host, ports[min(i, len(ports) - 1)]) for i, (host, _) in
                     enumerate(hosts or [("localhost", "")])]
        servers = tuple(f"{_shown(host)}:{_port(port or DEFAULT_PORT)}"
                        for host, port in hosts or [("localhost", "")])
        database = (query.get("dbname") or query.get("database")
                    or unquote(parts.path.lstrip("/")) or user)
        return cls(database, user, servers)

    @property
    def where(self) -> str:
        return ", ".join(self.servers)

    @property
    def named(self) -> str:
        return f'the database "{self.database}"'

    def __str__(self) -> str:
        return f"{self.named} at {self.where}"


def _split(spec: str) -> tuple[str, str]:
    if spec.startswith("["):  # [IPv6]:port
        address, _, rest = spec[1:].partition("]")
        return address, rest.removeprefix(":")
    host, _, port = spec.partition(":")
    return unquote(host), port


def _shown(host: str) -> str:
    if ":" in host and not host.startswith("/"):  # IPv6, bracketed as in a URL
        return f"[{host}]"
    return host or "localhost"


def _port(text: str) -> str:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(f"the port {text!r} is not a number from 1 to 65535 ({EXAMPLE})")
    return text


def _local_user() -> str:
    # asyncpg's default, as libpq's: the operating-system user running the process.
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "postgres"
