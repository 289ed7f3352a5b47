# Drives mcp_notes_server.py over stdio with the SDK's own client, as an MCP host would: a tool
# list, three tool calls (one that fails), an unknown tool, a resource read and a prompt get.
import asyncio
import os
import sys

from mcp import Client
from mcp.client.stdio import StdioServerParameters


async def main() -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=[os.path.join(os.path.dirname(__file__), "mcp_notes_server.py")],
        env=dict(os.environ),
    )
    async with Client(params) as client:
        await client.list_tools()
        print(await client.call_tool("search_email", {"query": "invoice"}))
        print(await client.call_tool("read_file", {"path": "/home/alice/.ssh/id_rsa"}))
        print(await client.call_tool("delete_everything", {"confirm": True}))
        try:
            await client.call_tool("no_such_tool", {})
        except Exception as e:  # the server answers with a JSON-RPC error
            print("error:", e)
        print(await client.read_resource("notes://todo"))
        print(await client.get_prompt("summarize", {"topic": "q3"}))


asyncio.run(main())
