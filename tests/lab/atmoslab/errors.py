"""AWS error responses in each protocol the lab speaks, and the fault responses built from them."""

import json
import uuid
from xml.sax.saxutils import escape

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"


def request_id() -> str:
    return str(uuid.uuid4())


def query_error_body(code: str, message: str, namespace: str = STS_NAMESPACE) -> str:
    return (
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>Sender</Type><Code>{escape(code)}</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>{request_id()}</RequestId></ErrorResponse>"
    )


def query_error(status: int, code: str, message: str) -> Response:
    """Query protocol (STS, IAM): `<ErrorResponse><Error><Type>Sender</Type><Code>…`."""
    return Response(query_error_body(code, message), status=status, content_type="text/xml")


def s3_error(status: int, code: str, message: str, **details: str) -> Response:
    extra = "".join(f"<{name}>{escape(str(value))}</{name}>" for name, value in details.items())
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{escape(code)}</Code>'
        f"<Message>{escape(message)}</Message>{extra}<RequestId>{request_id()}</RequestId></Error>"
    )
    return Response(body, status=status, content_type="application/xml")


def oidc_error(status: int, error_type: str, error: str, description: str) -> Response:
    """SSO-OIDC (rest-json): type in `x-amzn-ErrorType`, OAuth-style `error`/`error_description` body."""
    body = json.dumps({"error": error, "error_description": description})
    return Response(body, status=status, content_type="application/json", headers={"x-amzn-ErrorType": error_type})


def json_error(status: int, error_type: str, message: str) -> Response:
    """rest-json services (SSO portal, the lab's own JSON endpoints): type header and `message` body."""
    body = json.dumps({"message": message})
    return Response(body, status=status, content_type="application/json", headers={"x-amzn-ErrorType": error_type})


def aws_json_error(status: int, error_type: str, message: str) -> Response:
    """awsJson services (`X-Amz-Target`: SSM, …): the type in the body's `__type` and in the header."""
    body = json.dumps({"__type": error_type, "message": message})
    return Response(body, status=status, content_type="application/x-amz-json-1.1", headers={"x-amzn-ErrorType": error_type})


class QueryAuthError(HTTPException):
    """Raised from inside moto's request checks; moto renders `description` with status `code`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__()
        self.code = status
        self.description = query_error_body(code, message)


class JsonAuthError(HTTPException):
    """The awsJson protocol's error (SSM and other `X-Amz-Target` services), raised from inside moto's request
    checks: HTTP 400, `{"__type": code, "message": …}`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__()
        self.code = 400
        self.description = json.dumps({"__type": code, "message": message})


OVERSIZED_BYTES = 32 << 20


def oversized_response() -> Response:
    """A 200 answer whose body (32 MiB of XML whitespace, streamed) is far beyond any real AWS answer: a client
    must stop reading at its own limit instead of buffering it all."""
    chunk = b" " * (1 << 16)

    def body():
        yield b'<?xml version="1.0" encoding="UTF-8"?>'
        for _ in range(OVERSIZED_BYTES // len(chunk)):
            yield chunk

    return Response(body(), status=200, content_type="text/xml", direct_passthrough=True)


def fault_response(protocol: str, kind: str) -> Response:
    """The response of an injected fault: `kind` is "throttle", "error" or "oversized"."""
    if kind == "oversized":
        return oversized_response()
    throttle = kind == "throttle"
    if protocol == "query":
        if throttle:
            return query_error(400, "Throttling", "Rate exceeded")
        return query_error(500, "InternalFailure", "The request processing has failed because of an unknown error.")
    if protocol == "s3":
        if throttle:
            return s3_error(503, "SlowDown", "Please reduce your request rate.")
        return s3_error(500, "InternalError", "We encountered an internal error. Please try again.")
    if protocol == "sso-oidc":
        if throttle:
            return oidc_error(429, "TooManyRequestsException", "too_many_requests", "Rate exceeded")
        return oidc_error(500, "InternalServerException", "server_error", "An internal server error occurred")
    if protocol == "json":
        if throttle:
            return aws_json_error(400, "ThrottlingException", "Rate exceeded")
        return aws_json_error(500, "InternalServerError", "An internal server error occurred")
    if throttle:
        return json_error(429, "TooManyRequestsException", "Rate exceeded")
    return json_error(500, "InternalServerException", "An internal server error occurred")
