"""HTTP service for the compose-stack example: /health, /ready (PostgreSQL + Redis), /version.

Uses only the Python standard library plus Debian's python3-psycopg2 and python3-redis.
"""

import json
import logging
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2
import redis

PORT = int(os.environ.get("PORT", "8080"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
APP_VERSION = os.environ.get("APP_VERSION", "0.0.0")
GIT_COMMIT = os.environ.get("GIT_COMMIT") or None
CHECK_TIMEOUT = 2  # seconds, per dependency

log = logging.getLogger("app")


def check_db():
    if not DATABASE_URL:
        return "DATABASE_URL is not set"
    try:
        conn = psycopg2.connect(DATABASE_URL, connect_timeout=CHECK_TIMEOUT)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
                cur.fetchone()
        finally:
            conn.close()
    except psycopg2.Error as err:
        return str(err).strip() or err.__class__.__name__
    return None


def check_cache():
    if not REDIS_URL:
        return "REDIS_URL is not set"
    try:
        client = redis.Redis.from_url(
            REDIS_URL, socket_connect_timeout=CHECK_TIMEOUT, socket_timeout=CHECK_TIMEOUT
        )
        try:
            client.ping()
        finally:
            client.close()
    except redis.RedisError as err:
        return str(err) or err.__class__.__name__
    return None


class Handler(BaseHTTPRequestHandler):
    server_version = "compose-stack-app"

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/health":
            self.send_json(200, {"status": "ok"})
        elif path == "/ready":
            checks = {"db": check_db(), "cache": check_cache()}
            ready = all(error is None for error in checks.values())
            self.send_json(
                200 if ready else 503,
                {
                    "status": "ready" if ready else "unavailable",
                    "checks": {name: error or "ok" for name, error in checks.items()},
                },
            )
        elif path == "/version":
            self.send_json(200, {"version": APP_VERSION, "commit": GIT_COMMIT})
        else:
            self.send_json(404, {"error": "not found"})

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        log.info("%s %s", self.address_string(), fmt % args)


def main():
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stdout)
    server = ThreadingHTTPServer(("0.0.0.0", PORT), Handler)
    server.daemon_threads = True

    def stop(signum, _frame):
        log.info("%s received, shutting down", signal.Signals(signum).name)
        # shutdown() blocks until serve_forever() returns, so call it from another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    log.info("app %s listening on port %d", APP_VERSION, PORT)
    server.serve_forever()
    server.server_close()
    log.info("stopped")


if __name__ == "__main__":
    main()
