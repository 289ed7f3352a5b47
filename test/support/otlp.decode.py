# Decodes OTLP/HTTP logs export requests with the OpenTelemetry project's own protobuf definitions
# (PyPI `opentelemetry-proto`), independently of the JavaScript serializer that encoded them.
# stdin: a JSON list of {"body_b64", "content_type", "content_encoding"}; stdout: a JSON list with,
# for each request, the decoded ExportLogsServiceRequest (proto field names) or {"error": why}.
# JSON bodies are parsed strictly: an attribute or field the protocol does not define is an error.
import base64
import gzip
import json
import sys

from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest


def decode(item):
    body = base64.b64decode(item["body_b64"])
    if (item.get("content_encoding") or "").lower() == "gzip":
        body = gzip.decompress(body)
    message = ExportLogsServiceRequest()
    if "json" in (item.get("content_type") or ""):
        json_format.Parse(body.decode("utf-8"), message)
    else:
        message.ParseFromString(body)
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def main():
    out = []
    for item in json.load(sys.stdin):
        try:
            out.append(decode(item))
        except Exception as err:  # noqa: BLE001 - every failure is reported to the test
            out.append({"error": f"{type(err).__name__}: {err}"})
    json.dump(out, sys.stdout)


main()
