// The app the container scenarios build: Python's standard library on the lab's local base image, so a build needs no registry or network.

/** /health, and /version answering APP_VERSION from the env file; HTTP/1.1 keep-alive, a thread per connection, a deep accept backlog, SIGTERM ends it gracefully. */
export const APP_PY = `import json, os, signal, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERSION = os.environ.get("APP_VERSION", "0")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/health":
            code, body = 200, {"status": "ok"}
        elif self.path == "/version":
            code, body = 200, {"version": VERSION}
        else:
            code, body = 404, {"error": "not found"}
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    # nginx opens a connection per request to its upstream: the default backlog of 5 would drop SYNs (a 1 s retransmit) at 500/s.
    request_queue_size = 1024


server = Server(("0.0.0.0", int(os.environ.get("PORT", "8080"))), Handler)
server.daemon_threads = True
signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
server.serve_forever()
`;

export const DOCKERFILE = `FROM deckhand-lab/base:latest
ENV PORT=8080 PYTHONUNBUFFERED=1
HEALTHCHECK --interval=2s --timeout=2s --retries=2 CMD curl -fsS -o /dev/null http://127.0.0.1:$PORT/health || exit 1
CMD ["python3", "/srv/app.py"]
COPY app.py /srv/app.py
`;

/** One web service published on loopback (a plain deploy's port; with zero downtime nginx takes clients on proxy_port). */
export function composeFile(publishedPort: number): string {
  return `services:
  web:
    build: .
    env_file: .env
    ports:
      - "127.0.0.1:${publishedPort}:8080"
    stop_grace_period: 5s
`;
}
