"""What the harness's local AWS services share (identity_center.py,
signin.py): a handler that answers as AWS's restJson1 services answer (a
request id, the error's type in x-amzn-ErrorType), and serving on
127.0.0.1 with the port written where the test reads it."""
import json
import secrets
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class AwsHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, error_type=None, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", secrets.token_hex(8))
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        self.end_headers()
        self.wfile.write(data)


def serve(handler):
    """Listens on 127.0.0.1, writes the port to the file named by the
    first argument, and serves until killed."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with open(sys.argv[1], "w") as f:
        f.write(str(server.server_port))
    server.serve_forever()
