"""The chat contract is in the OpenAPI schema a client generates its types from: the stream's
events as one named union, the error record, message parts as one union told apart by `kind`."""

from __future__ import annotations

from typing import Any

import httpx

REF = "#/components/schemas/"


async def test_the_schema_types_the_stream_errors_and_parts(client: httpx.AsyncClient) -> None:
    schema: dict[str, Any] = (await client.get("/openapi.json")).json()
    components = schema["components"]["schemas"]
    for path, method in (("/api/chat/stream", "post"), ("/api/chat/{message_id}/stream", "get")):
        content = schema["paths"][path][method]["responses"]["200"]["content"]
        assert content == {"text/event-stream": {"schema": {"$ref": REF + "ChatEvent"}}}

    events = components["ChatEvent"]["discriminator"]
    assert events["propertyName"] == "event"
    assert set(events["mapping"]) == {
        "start", "delta", "thinking", "failover", "usage", "error", "done",
        "tool_call", "tool_result",
    }  # fmt: skip
    error = components["StreamError"]
    assert {"code", "message", "provider", "retryable", "retry_after", "message_id", "status"} <= (
        set(error["required"])
    )
    assert "event" in components["StreamDelta"]["required"]

    message = components["MessageOut"]["properties"]
    assert message["error"]["anyOf"][0] == {"$ref": REF + "ErrorRecord"}
    parts = message["parts"]["items"]["discriminator"]
    assert parts["propertyName"] == "kind"
    assert set(parts["mapping"]) == {
        "text",
        "image",
        "file",
        "thinking",
        "tool_call",
        "tool_result",
    }
    assert "v" in components["StoredText"]["required"]
    assert components["ChatResult"]["properties"]["error"]["anyOf"][0] == {
        "$ref": REF + "ErrorRecord"
    }
