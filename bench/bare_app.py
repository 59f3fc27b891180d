"""The baseline: a bare Flask route, served by gunicorn exactly like the real app."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def bare():
    return "ok"
