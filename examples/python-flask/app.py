"""Minimal Flask service used by deckhand's examples, tests and benchmarks."""

import os

from flask import Flask, jsonify

app = Flask(__name__)

APP_VERSION = os.environ.get("APP_VERSION", "0.1.0")


@app.get("/health")
def health():
    return jsonify(status="ok")


@app.get("/version")
def version():
    return jsonify(version=APP_VERSION, commit=os.environ.get("GIT_COMMIT") or None)


@app.get("/")
def index():
    return jsonify(service="python-flask", endpoints=["/health", "/version"])


if __name__ == "__main__":
    # Development server only; production runs under gunicorn (see Procfile).
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
