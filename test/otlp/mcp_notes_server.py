# An MCP server built on the MCP Python SDK v2 (PyPI `mcp`), which instruments every request with
# OpenTelemetry spans of its own (mcp/server/_otel.py). This file only installs the OpenTelemetry
# SDK with the OTLP/HTTP protobuf exporter; where it sends, with which key and as which service and
# user comes from the standard OTEL_* environment variables, as in any deployment.
import sys

from mcp.server.mcpserver import MCPServer
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

provider = TracerProvider(resource=Resource.create())
provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
trace.set_tracer_provider(provider)

server = MCPServer("py-notes")


@server.tool()
def search_email(query: str) -> str:
    """Search the mailbox."""
    return f"1 message matching {query!r} from billing@example.com"


@server.tool()
def read_file(path: str) -> str:
    """Read a file."""
    return f"contents of {path}"


@server.tool()
def delete_everything(confirm: bool) -> str:
    """Always fails."""
    raise RuntimeError("refusing to delete everything")


@server.resource("notes://{name}")
def note(name: str) -> str:
    """A note."""
    return f"note {name}"


@server.prompt()
def summarize(topic: str) -> str:
    """Summarize a topic."""
    return f"Summarize {topic}"


if __name__ == "__main__":
    try:
        server.run("stdio")
    finally:
        # Flushes the batch processor: every span is exported before the process ends.
        provider.shutdown()
        sys.stderr.write("spans flushed\n")
