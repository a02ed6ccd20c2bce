"""moto's server, applying one request at a time: `python serialized_moto.py PORT`.

moto's own `moto_server` runs requests on parallel threads, and moto does not apply a conditional
write atomically: concurrent conditional PutItems on one key can all succeed (seen with moto 5.2.5).
DynamoDB applies each conditional write atomically, and tests that check limits under concurrency
rely on that, so this server lets exactly one request at a time into moto. Connections are still
accepted and read in parallel; only moto's work is serialized.
"""
import io
import os
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple
from werkzeug.wsgi import get_input_stream


def serialized(app):
    lock = threading.Lock()

    def serve(environ, start_response):
        # Read the body before taking the lock, so a slow client does not hold up the others.
        environ["wsgi.input"] = io.BytesIO(get_input_stream(environ).read())
        environ["wsgi.input_terminated"] = True
        with lock:
            # Consume the response inside the lock: moto may still be working while it is iterated.
            body = app(environ, start_response)
            try:
                return [b"".join(body)]
            finally:
                if hasattr(body, "close"):
                    body.close()

    return serve


def main():
    port = int(sys.argv[1])
    # moto builds some answers (e.g. SQS queue URLs) from MOTO_PORT, as moto_server sets it.
    os.environ.setdefault("MOTO_PORT", str(port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Built as moto/server.py builds it.
    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True
    run_simple("127.0.0.1", port, serialized(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
