"""Serving the lab on 127.0.0.1: the request handler, the ready file and orderly shutdown."""

import json
import os
import signal
import sys
import tempfile
import threading
import time
from urllib.parse import urlsplit

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import Lab


class LabRequestHandler(WSGIRequestHandler):
    def make_environ(self):
        """werkzeug drops headers whose names contain `_` (anti-spoofing); the SSO portal's bearer token
        arrives as `x-amz-sso_bearer_token`, so such headers are put back."""
        environ = super().make_environ()
        for key, value in self.headers.items():
            if "_" in key:
                environ["HTTP_" + key.upper().replace("-", "_")] = value
        return environ

    def log_request(self, code="-", size="-") -> None:
        """One line per request, path only: query strings can carry secrets (console federation)."""
        sys.stderr.write(f"{self.command} {urlsplit(self.path).path} {code}\n")


def write_atomically(path: str, document: dict) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".ready-")
    with os.fdopen(handle, "w") as out:
        json.dump(document, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def serve(lab: Lab, port: int, ready_file: str, idle_timeout: float) -> None:
    """Serves until SIGTERM/SIGINT, or until no request came for `idle_timeout` seconds (0: never)."""
    server = make_server("127.0.0.1", port, lab, threaded=True, request_handler=LabRequestHandler)
    endpoint = f"http://127.0.0.1:{server.server_port}"
    lab.set_endpoint(endpoint)
    os.environ["MOTO_PORT"] = str(server.server_port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    worker = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    worker.start()
    if ready_file:
        write_atomically(ready_file, {"endpoint": endpoint, "pid": os.getpid()})
    try:
        while not stop.wait(0.5):
            if idle_timeout and time.monotonic() - lab.last_request > idle_timeout:
                sys.stderr.write(f"lab: idle for {idle_timeout:.0f} s, exiting\n")
                break
    finally:
        if ready_file and os.path.exists(ready_file):
            os.unlink(ready_file)
        server.shutdown()
        server.server_close()
        worker.join()
