"""Live intake and alerts benchmark, on real servers on loopback: Dovecot (IMAP over TLS, from
Debian's packages), an SMTP server (aiosmtpd) that keeps what it receives, and Mastodon and
Bluesky servers that answer like the real APIs (REST catch-up, the notification stream, sessions).
`civicshield intake run` runs as its own process over the demo workspace, as in production.

    python bench/alerts.py                 # all three parts
    python bench/alerts.py --part latency  # or kill, idle

1. latency: 50 emails naming the mayor's street and "tonight" are delivered one at a time; for
   each, the time from delivery into the mailbox until its alert reaches the SMTP server (the
   built-in rules: the critical rule waits 5 s to gather a burst). Then the same sender sends it
   ten times: how many notifications arrive.
2. kill: mail and Mastodon notifications keep arriving while the intake process is killed with
   SIGKILL 20 times at random moments (and restarted). Then: is every message stored exactly
   once, and did every notification reach the SMTP server (none lost; repeats carry the same
   Message-ID)?
3. idle: four idle sources (two mailboxes, Mastodon, Bluesky) for 60 s: CPU and memory of the
   intake process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.mail_servers import Dovecot, SmtpSink, find_dovecot  # noqa: E402

MAYOR = "mayor@riverton.test"
CLERK = "clerk@riverton.test"
PASSWORDS = {MAYOR: "bench-Pass-1", CLERK: "bench-Pass-2"}
THREAT = ("I know where you live, 4127 Larkspur Ln. I will be outside your house tonight and "
          "you will regret it.")
_serial = iter(range(1, 10**9))


def email(body: str, sender: str = "resident@example.org", subject: str = "Riverton") -> tuple[
        str, bytes]:
    n = next(_serial)
    message_id = f"<bench-{n}-{time.time_ns()}@example.org>"
    raw = (f"From: A Resident <{sender}>\r\nTo: {MAYOR}\r\nSubject: {subject}\r\n"
           f"Date: {format_datetime(datetime.now(UTC))}\r\nMessage-ID: {message_id}\r\n\r\n"
           f"{body}\r\n").encode()
    return message_id, raw


# ---- Mastodon and Bluesky servers that answer like the real APIs ------------------------------
class FakeSocial:
    """Mastodon (notifications REST, user notification stream) and Bluesky (sessions,
    listNotifications) on one loopback HTTP server."""

    def __init__(self) -> None:
        self.notes: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _json(self, value: Any, status: int = 200) -> None:
                body = json.dumps(value).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._json({"accessJwt": "a", "refreshJwt": "r", "did": "did:plc:mayor"})

            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/api/v1/notifications":
                    self._json(owner.page(query))
                elif url.path == "/api/v1/streaming/user/notification":
                    owner.stream(self)
                elif url.path.endswith("listNotifications"):
                    self._json({"notifications": []})
                else:
                    self._json({"error": "not found"}, 404)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def post(self, text: str) -> str:
        with self.lock:
            number = len(self.notes) + 1
            uri = f"https://mastodon.test/users/troll/statuses/{number}"
            self.notes.append({
                "id": str(number), "type": "mention", "created_at": datetime.now(UTC).isoformat(),
                "account": {"id": "77", "username": "troll", "acct": "troll@mastodon.test",
                            "display_name": "Troll", "url": "https://mastodon.test/@troll"},
                "status": {"id": str(number), "uri": uri, "url": uri,
                           "created_at": datetime.now(UTC).isoformat(), "visibility": "public",
                           "in_reply_to_id": None, "spoiler_text": "",
                           "content": f"<p>{text}</p>"}})
            return uri

    def page(self, query: dict[str, str]) -> list[dict[str, Any]]:
        since, below = int(query.get("since_id") or 0), int(query.get("max_id") or 10**12)
        limit = int(query.get("limit") or 40)
        with self.lock:
            fitting = [n for n in self.notes if since < int(n["id"]) < below]
        return sorted(fitting, key=lambda n: -int(n["id"]))[:limit]

    def stream(self, handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.end_headers()
        with self.lock:
            sent = len(self.notes)
        beat = time.monotonic()
        try:
            while True:
                with self.lock:
                    fresh = self.notes[sent:]
                for note in fresh:
                    handler.wfile.write(f"event: notification\ndata: {json.dumps(note)}\n\n"
                                        .encode())
                sent += len(fresh)
                if time.monotonic() - beat > 15:
                    handler.wfile.write(b":thump\n\n")
                    beat = time.monotonic()
                handler.wfile.flush()
                time.sleep(0.1)
        except OSError:
            return


# ---- the workspace and the intake process -----------------------------------------------------
class Bench:
    """The demo workspace, the servers, and `civicshield intake run` as a child process."""

    def __init__(self, folder: Path, dovecot: Dovecot, sink: SmtpSink) -> None:
        from civicshield.app import CivicShield
        from civicshield.config import load_settings
        from civicshield.demo import load_demo

        self.dovecot, self.sink = dovecot, sink
        self.social = FakeSocial()
        self.env = {**os.environ, "CIVICSHIELD_DATA_DIR": str(folder / "data"),
                    "CIVICSHIELD_SMTP_HOST": "127.0.0.1",
                    "CIVICSHIELD_SMTP_PORT": str(sink.port),
                    "CIVICSHIELD_SMTP_STARTTLS": "false",
                    "CIVICSHIELD_SMTP_FROM": "alerts@riverton.test",
                    "CIVICSHIELD_ALLOWED_LOCAL_HOSTS": "127.0.0.1",
                    "CIVICSHIELD_CA_FILE": str(dovecot.ca_file),
                    "CIVICSHIELD_TIME_ZONE": "America/Los_Angeles"}
        self.settings = load_settings(self.env)
        self.service, _ = CivicShield.initialise(self.settings)
        started = time.perf_counter()
        load_demo(self.service)
        self.demo_seconds = time.perf_counter() - started
        for alert in self.service.alerts.overview(self.actor()):
            self.service.alerts.resolve(self.actor(), alert.id)  # start from a quiet office
        self.process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def actor() -> Any:
        from civicshield.domain.access import cli_actor

        return cli_actor()

    def add_mailbox(self, name: str, user: str) -> None:
        self.service.intake.add_source(self.actor(), "imap", name, {
            "host": "127.0.0.1", "port": self.dovecot.port, "username": user,
            "idle_seconds": 300}, {"password": PASSWORDS[user]}, principal="mayor-marsh")

    def add_social(self) -> None:
        base = f"http://127.0.0.1:{self.social.port}"
        self.service.intake.add_source(self.actor(), "mastodon", "mastodon", {
            "server": base, "account": "@mayor@mastodon.test"}, {"access_token": "t"},
            principal="mayor-marsh")
        self.service.intake.add_source(self.actor(), "bluesky", "bluesky", {
            "handle": "mayor.bsky.social", "service": base}, {"app_password": "p"},
            principal="mayor-marsh")

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "civicshield"), "intake", "run"], env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)

    def wait_ready(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            health = self.service.intake.health(self.actor())
            if sum(h.state == "ok" for h in health) >= count:
                return
            time.sleep(0.2)
        raise RuntimeError(f"sources not ready: {[h.line for h in health]}")

    def stored_ids(self) -> dict[str, int]:
        from sqlalchemy import func, select

        from civicshield.storage.tables import messages

        with self.service.context.engine.connect() as conn:
            rows = conn.execute(select(messages.c.external_id, func.count())
                                .group_by(messages.c.external_id)).all()
        return {r[0]: int(r[1]) for r in rows}


def wait_for(check: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


# ---- the three parts --------------------------------------------------------------------------
def latency(bench: Bench, rounds: int = 50) -> dict[str, Any]:
    bench.add_mailbox("mayor inbox", MAYOR)
    bench.start()
    bench.wait_ready(1)
    seconds = []
    for n in range(rounds):
        before = len(bench.sink.messages)
        _, raw = email(THREAT, sender=f"sender{n}@example.org")
        delivered = time.perf_counter()
        bench.dovecot.deliver(MAYOR, raw)
        if not wait_for(lambda before=before: len(bench.sink.messages) > before, 120):
            raise RuntimeError(f"round {n}: no alert arrived")
        seconds.append(time.perf_counter() - delivered)
        note = bench.sink.messages[-1]
        assert "home-or-family-doxxing" in note.get_payload(), "the alert names its rule"
        for alert in bench.service.alerts.overview(bench.actor()):
            bench.service.alerts.resolve(bench.actor(), alert.id)
    before = len(bench.sink.messages)
    for _ in range(10):
        bench.dovecot.deliver(MAYOR, email(THREAT, sender="same.sender@example.org")[1])
    wait_for(lambda: len(bench.sink.messages) > before, 60)
    time.sleep(20)  # more than enough for any further notification to go out
    repeats = len(bench.sink.messages) - before
    bench.stop()
    ordered = sorted(seconds)
    return {"rounds": rounds, "p50_s": round(statistics.median(ordered), 2),
            "p95_s": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
            "max_s": round(ordered[-1], 2), "ten_from_one_sender_notifications": repeats}


def kill(bench: Bench, kills: int = 20, seed: int = 17) -> dict[str, Any]:
    rng = random.Random(seed)
    bench.add_mailbox("mayor inbox", MAYOR)
    bench.add_social()
    delivered: list[str] = []
    stop = threading.Event()

    def feed() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            threat = n % 7 == 0
            text = THREAT if threat else f"When will the library reopen? ({n})"
            if n % 2:
                message_id, raw = email(text, sender=f"feeder{n % 13}@example.org")
                bench.dovecot.deliver(MAYOR, raw)
                delivered.append(message_id)
            else:
                delivered.append(bench.social.post(text))
            if n % 10 == 0:  # staff resolve what they were told of, so new alerts keep forming
                for alert in bench.service.alerts.overview(bench.actor()):
                    if alert.last_notified_at is not None:
                        bench.service.alerts.resolve(bench.actor(), alert.id)
            time.sleep(rng.uniform(0.05, 0.4))

    bench.start()
    bench.wait_ready(2)
    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    for _ in range(kills):
        time.sleep(rng.uniform(0.3, 4.0))
        bench.kill()
        bench.start()
    stop.set()
    feeder.join()
    wanted = set(delivered)

    def settled() -> bool:
        ids = bench.stored_ids()
        outbox = bench.service.alerts.outbox(bench.actor(), limit=100_000)
        return wanted <= set(ids) and all(o.status == "sent" for o in outbox)

    settled_in_time = wait_for(settled, 240)
    time.sleep(3)
    bench.stop()
    ids = bench.stored_ids()
    outbox = bench.service.alerts.outbox(bench.actor(), limit=100_000)
    import hashlib

    expected = {f"<{hashlib.sha256(o.key.encode()).hexdigest()[:40]}@civicshield>"
                for o in outbox if o.kind == "email"}
    received = [m["Message-ID"] for m in bench.sink.messages]
    return {"kills": kills, "messages_delivered": len(wanted),
            "stored": sum(1 for i in wanted if i in ids),
            "lost": len(wanted - set(ids)),
            "stored_twice": sum(1 for i in wanted if ids.get(i, 0) > 1),
            "notifications_in_outbox": len(expected),
            "notifications_lost": len(expected - set(received)),
            "notifications_received": len(received),
            "repeats_same_message_id": len(received) - len(set(received)),
            "settled": settled_in_time}


def idle(bench: Bench, seconds: float = 60) -> dict[str, Any]:
    bench.add_mailbox("mayor inbox", MAYOR)
    bench.add_mailbox("clerk inbox", CLERK)
    bench.add_social()
    bench.start()
    bench.wait_ready(4)
    time.sleep(5)
    assert bench.process is not None
    pid = bench.process.pid
    tick = os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    first, started = cpu(), time.perf_counter()
    peak = 0
    while time.perf_counter() - started < seconds:
        status = Path(f"/proc/{pid}/status").read_text()
        peak = max(peak, int(next(line.split()[1] for line in status.splitlines()
                                  if line.startswith("VmRSS:"))))
        time.sleep(1)
    used = cpu() - first
    wall = time.perf_counter() - started
    bench.stop()
    return {"sources": 4, "seconds": round(wall), "cpu_percent_of_one_core":
            round(100 * used / wall, 2), "peak_rss_mb": round(peak / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=["latency", "kill", "idle"], action="append")
    args = parser.parse_args()
    binary = find_dovecot()
    if binary is None:
        sys.exit("bench/alerts.py needs Dovecot (apt-get install dovecot-imapd)")
    print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}")
    for part in args.part or ["latency", "kill", "idle"]:
        dovecot, sink = Dovecot(binary), SmtpSink()
        dovecot.start(PASSWORDS)
        sink.start()
        try:
            with tempfile.TemporaryDirectory() as folder:
                bench = Bench(Path(folder), dovecot, sink)
                try:
                    result = {"latency": latency, "kill": kill, "idle": idle}[part](bench)
                finally:
                    bench.stop()
                print(json.dumps({"part": part, **result}))
        finally:
            sink.stop()
            dovecot.stop()


if __name__ == "__main__":
    main()
