"""nginx running deploy/nginx/elope.conf - the site a user installs - with only its listen
address and its upstream servers changed, in a prefix directory of its own (`nginx -p`)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from tests.debian_packages import NGINX, running_as_root
from tests.integration.servers import free_port
from tests.listening_process import stop_process, wait_until_listening

SITE = Path(__file__).parents[2] / "deploy" / "nginx" / "elope.conf"
_LISTEN = re.compile(r"^\s*listen\s+(?:\[::\]:)?80;\n", re.MULTILINE)
_UPSTREAM_SERVER = re.compile(r"^(\s*)server 127\.0\.0\.1:3001( [^;]*)?;\n", re.MULTILINE)


def site_for(listen_port: int, instance_ports: list[int]) -> str:
    """The shipped site, listening on 127.0.0.1:`listen_port`, in front of these instances."""
    text = SITE.read_text()
    if len(_LISTEN.findall(text)) != 2 or len(_UPSTREAM_SERVER.findall(text)) != 1:
        raise AssertionError(f"{SITE} no longer has the listen and upstream lines this rig "
                             "rewrites; update tests/deployment/nginx.py with it")
    text = _LISTEN.sub("", text, count=1)
    text = _LISTEN.sub(f"    listen 127.0.0.1:{listen_port};\n", text, count=1)
    return _UPSTREAM_SERVER.sub(
        lambda m: "".join(f"{m.group(1)}server 127.0.0.1:{port}{m.group(2) or ''};\n"
                          for port in instance_ports), text)


@dataclass
class Nginx:
    directory: Path
    instance_ports: list[int]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> str:
        d = self.directory
        return "\n".join([
            "daemon off;", "worker_processes 1;", f"pid {d / 'nginx.pid'};",
            f"error_log {d / 'error.log'} warn;",
            # As root, workers would become `nobody`, who cannot enter a private temp dir.
            "user root;" if running_as_root() else "",
            "events { worker_connections 1024; }",
            "http {",
            f"    access_log {d / 'access.log'};",
            *(f"    {kind}_temp_path {d / 'temp' / kind};"
              for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")),
            f"    include {d / 'elope.conf'};",
            "}", ""])

    def _command(self, *extra: str) -> list[str]:
        # -e: the error log before the configuration is read (else /var/log/nginx).
        return [str(NGINX), "-p", str(self.directory), "-c", str(self.directory / "nginx.conf"),
                "-e", str(self.directory / "error.log"), *extra]

    def write(self) -> None:
        (self.directory / "temp").mkdir(parents=True, exist_ok=True)
        (self.directory / "elope.conf").write_text(site_for(self.port, self.instance_ports))
        (self.directory / "nginx.conf").write_text(self.config())

    def test_config(self) -> subprocess.CompletedProcess[str]:
        """`nginx -t` on the written configuration."""
        self.write()
        return subprocess.run(self._command("-t"), capture_output=True, text=True, timeout=30)

    def start(self, timeout: float = 10.0) -> Nginx:
        self.write()
        self._log = (self.directory / "nginx.out").open("wb")
        self.process = subprocess.Popen(self._command(), stdout=self._log,
                                        stderr=subprocess.STDOUT)
        wait_until_listening(self.process, self.port, "nginx", self.log, timeout)
        return self

    def stop(self) -> None:
        stop_process(self.process)
        if self._log is not None:
            self._log.close()

    def log(self) -> str:
        logs = [self.directory / "nginx.out", self.directory / "error.log"]
        return "".join(p.read_text(errors="replace") for p in logs if p.exists())[-2000:]
