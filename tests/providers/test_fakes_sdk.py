"""Each fake is proven against the official SDK used directly (not through our adapters):
if the SDK parses what the fake sends, the fake speaks the real wire format."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import httpx
import openai
import pytest

from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.openai_chat import Dialect, FakeOpenAIChat
from tests.fakes.script import Failure, Reply, ToolCallScript


@pytest.fixture(scope="module")
def ant() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as fake:
        yield fake


@pytest.fixture
def ant_client(ant: FakeAnthropic) -> anthropic.Anthropic:
    ant.state.reset()
    return anthropic.Anthropic(api_key="test-key", base_url=ant.url, max_retries=0)


def _msg(client: anthropic.Anthropic, **kw: object) -> anthropic.types.Message:
    return client.messages.create(  # type: ignore[call-overload,no-any-return]
        model="claude-sonnet-4-6",
        max_tokens=64,
        messages=[{"role": "user", "content": "Hi"}],
        **kw,
    )


def test_anthropic_sdk_reads_message_and_stream(
    ant: FakeAnthropic, ant_client: anthropic.Anthropic
) -> None:
    message = _msg(ant_client)
    assert message.content[0].type == "text" and message.content[0].text == "Hello there!"
    assert (message.usage.input_tokens, message.usage.output_tokens) == (11, 6)

    ant.queue(Reply(text="Let me look.", tool_calls=[ToolCallScript("get_weather", {"c": 1})]))
    with ant_client.messages.stream(
        model="claude-sonnet-4-6", max_tokens=64, messages=[{"role": "user", "content": "Hi"}]
    ) as stream:
        texts = list(stream.text_stream)
        final = stream.get_final_message()
    assert "".join(texts) == "Let me look."
    assert final.stop_reason == "tool_use"
    tool = final.content[1]
    assert tool.type == "tool_use" and tool.input == {"c": 1} and tool.id.startswith("toolu_")
    assert final.usage.output_tokens == 6  # running total overwritten, not summed


def test_anthropic_sdk_reads_thinking_blocks(
    ant: FakeAnthropic, ant_client: anthropic.Anthropic
) -> None:
    reply = Reply(text="Blue.", thinking="Rayleigh scattering favours short waves.")
    ant.queue(reply, reply)
    thinking = {"type": "enabled", "budget_tokens": 2048}
    message = ant_client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=4096,
        thinking=thinking,  # type: ignore[arg-type]
        messages=[{"role": "user", "content": "Hi"}],
    )
    first = message.content[0]
    assert first.type == "thinking" and first.thinking == reply.thinking and first.signature
    with ant_client.messages.stream(
        model="claude-sonnet-4-6",
        max_tokens=4096,
        thinking=thinking,  # type: ignore[arg-type]
        messages=[{"role": "user", "content": "Why is the sky blue?"}],
    ) as stream:
        pieces = [e.thinking for e in stream if e.type == "thinking"]
        final = stream.get_final_message()
    assert "".join(pieces) == reply.thinking
    block = final.content[0]
    assert block.type == "thinking" and block.thinking == reply.thinking
    assert block.signature.startswith("Eq")  # the signature_delta was read into the block
    assert final.content[1].type == "text" and final.content[1].text == "Blue."


def test_anthropic_sdk_sees_each_failure_as_the_real_api_reports_it(
    ant: FakeAnthropic, ant_client: anthropic.Anthropic
) -> None:
    expected = {
        Failure.BAD_KEY: (anthropic.AuthenticationError, 401),
        Failure.RATE_LIMIT: (anthropic.RateLimitError, 429),
        Failure.QUOTA: (anthropic.APIStatusError, 402),
        Failure.OVERLOADED: (anthropic.APIStatusError, 529),
        Failure.SERVER_ERROR: (anthropic.InternalServerError, 500),
        Failure.MODEL_NOT_FOUND: (anthropic.NotFoundError, 404),
    }
    for failure, (cls, status) in expected.items():
        ant.queue(Reply(failure=failure))
        with pytest.raises(cls) as raised:
            _msg(ant_client)
        assert raised.value.status_code == status
        assert raised.value.response.headers["request-id"].startswith("req_")
    ant.queue(Reply(failure=Failure.RATE_LIMIT, retry_after_s=7))
    with pytest.raises(anthropic.RateLimitError) as limited:
        _msg(ant_client)
    assert limited.value.response.headers["retry-after"] == "7"

    ant.queue(Reply(failure=Failure.ERROR_MID_STREAM))
    with pytest.raises(anthropic.APIStatusError) as mid:
        for _ in _msg(ant_client, stream=True):
            pass
    assert mid.value.body == {"type": "error", "error": {"type": "overloaded_error",
                                                         "message": "Overloaded"}}  # fmt: skip

    ant.queue(Reply(failure=Failure.CUT_MID_STREAM))
    with pytest.raises(Exception, match="incomplete chunked read"):
        for _ in _msg(ant_client, stream=True):
            pass


def test_anthropic_fake_checks_auth_and_version_headers(ant: FakeAnthropic) -> None:
    ant.state.reset()
    body = {"model": "claude-sonnet-4-6", "max_tokens": 5, "messages": []}
    url = f"{ant.url}/v1/messages"
    good = {"anthropic-version": "2023-06-01"}
    assert httpx.post(url, json=body, headers={**good, "x-api-key": "test-key"}).status_code == 200
    assert (
        httpx.post(url, json=body, headers={**good, "authorization": "Bearer test-key"}).status_code
        == 200
    )
    missing_version = httpx.post(url, json=body, headers={"x-api-key": "test-key"})
    assert missing_version.status_code == 400
    wrong = httpx.post(url, json=body, headers={**good, "x-api-key": "nope"})
    assert wrong.status_code == 401
    assert wrong.json()["error"] == {"type": "authentication_error", "message": "invalid x-api-key"}
    no_max = httpx.post(
        url, json={"model": "m", "messages": []}, headers={**good, "x-api-key": "test-key"}
    )
    assert no_max.json()["error"]["message"] == "max_tokens: Field required"


def test_anthropic_stream_bytes_match_the_captured_transcript(ant: FakeAnthropic) -> None:
    ant.state.reset()
    ant.queue(Reply(text="Hello there!", chunks=3))
    response = httpx.post(
        f"{ant.url}/v1/messages",
        json={"model": "claude-sonnet-4-6", "max_tokens": 5, "stream": True,
              "messages": [{"role": "user", "content": "Hi"}]},
        headers={"x-api-key": "test-key", "anthropic-version": "2023-06-01"},
    )  # fmt: skip
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [block.split("\n")[0] for block in response.text.strip().split("\n\n")]
    assert events == [
        "event: message_start",
        "event: content_block_start",
        "event: ping",
        "event: content_block_delta",
        "event: content_block_delta",
        "event: content_block_delta",
        "event: content_block_stop",
        "event: message_delta",
        "event: message_stop",
    ]
    assert 'data: {"type": "ping"}' in response.text
    assert (
        'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hell"}}'
        in response.text
    )


def test_anthropic_sdk_pages_through_models(ant_client: anthropic.Anthropic) -> None:
    ids = [m.id for m in ant_client.models.list(limit=2)]
    assert ids[:2] == ["claude-sonnet-4-6", "claude-opus-4-8"] and len(ids) == 5


# -- Chat Completions in three dialects ------------------------------------------------------

PREFIX = {"openai": "/v1", "openrouter": "/api/v1", "ollama": "/v1"}


@pytest.fixture(scope="module", params=["openai", "openrouter", "ollama"])
def chat_fake(request: pytest.FixtureRequest) -> Iterator[FakeOpenAIChat]:
    dialect: Dialect = request.param
    with FakeOpenAIChat(dialect) as fake:
        yield fake


@pytest.fixture
def oa(chat_fake: FakeOpenAIChat) -> openai.OpenAI:
    chat_fake.state.reset()
    return openai.OpenAI(
        api_key="test-key", base_url=chat_fake.url + PREFIX[chat_fake.dialect], max_retries=0
    )


def test_openai_sdk_reads_completion_and_stream(
    chat_fake: FakeOpenAIChat, oa: openai.OpenAI
) -> None:
    done = oa.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert done.choices[0].message.content == "Hello there!"
    assert done.usage is not None and done.usage.completion_tokens == 6

    chat_fake.queue(Reply(tool_calls=[ToolCallScript("lookup", {"q": "paris"})], cost_usd=0.002))
    stream = oa.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "x"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    text, args, finish, usage = "", "", None, None
    for chunk in stream:
        usage = chunk.usage or usage
        for choice in chunk.choices:
            text += choice.delta.content or ""
            for call in choice.delta.tool_calls or ():
                args += (call.function and call.function.arguments) or ""
            finish = choice.finish_reason or finish
    assert text == "Hello there!"
    assert args == '{"q":"paris"}'
    assert finish == "tool_calls"
    assert usage is not None and usage.prompt_tokens == 11
    if chat_fake.dialect == "openrouter":
        assert (usage.model_extra or {})["cost"] == 0.002


def test_openai_sdk_sees_failures_in_each_dialect(
    chat_fake: FakeOpenAIChat, oa: openai.OpenAI
) -> None:
    def create() -> object:
        return oa.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "x"}]
        )

    statuses = {Failure.SERVER_ERROR: 500, Failure.OVERLOADED: 503, Failure.MODEL_NOT_FOUND: 404}
    if chat_fake.dialect != "ollama":
        statuses |= {Failure.BAD_KEY: 401, Failure.RATE_LIMIT: 429}
        statuses[Failure.QUOTA] = 402 if chat_fake.dialect == "openrouter" else 429
    if chat_fake.dialect == "openrouter":
        statuses[Failure.MODEL_NOT_FOUND] = 400
    for failure, status in statuses.items():
        chat_fake.queue(Reply(failure=failure))
        with pytest.raises(openai.APIStatusError) as raised:
            create()
        assert raised.value.status_code == status, failure
    chat_fake.queue(Reply(failure=Failure.ERROR_MID_STREAM))
    with pytest.raises(openai.APIError, match=r"error|disconnected"):
        for _ in oa.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "x"}], stream=True
        ):
            pass
    chat_fake.queue(Reply(failure=Failure.CUT_MID_STREAM))
    with pytest.raises(openai.APIConnectionError):
        for _ in oa.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "x"}], stream=True
        ):
            pass


def test_openai_fake_rejects_what_the_real_api_rejects(oa: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="preceeding message with 'tool_calls'"):
        oa.chat.completions.create(
            model="gpt-4o",
            messages=[{"role": "tool", "tool_call_id": "call_1", "content": "orphan"}],
        )


def test_openai_dialect_specifics_on_the_wire() -> None:
    with FakeOpenAIChat("openai") as fake:
        sse = httpx.post(
            f"{fake.url}/v1/chat/completions",
            json={"model": "gpt-4o", "stream": True, "stream_options": {"include_usage": True},
                  "messages": [{"role": "user", "content": "x"}]},
            headers={"authorization": "Bearer test-key"},
        ).text  # fmt: skip
        assert sse.endswith("data: [DONE]\n\n")
        assert '"choices":[],"usage":{"prompt_tokens":11' in sse
        reasoning = httpx.post(
            f"{fake.url}/v1/chat/completions",
            json={"model": "o3-mini", "max_tokens": 5, "messages": []},
            headers={"authorization": "Bearer test-key"},
        )
        assert reasoning.status_code == 400
        assert "max_completion_tokens" in reasoning.json()["error"]["message"]
    with FakeOpenAIChat("openrouter") as fake:
        sse = httpx.post(
            f"{fake.url}/api/v1/chat/completions",
            json={"model": "a/b", "stream": True, "messages": [{"role": "user", "content": "x"}]},
            headers={"authorization": "Bearer test-key"},
        ).text
        assert sse.startswith(": OPENROUTER PROCESSING\n\n")
        assert '"id":"gen-' in sse and '"provider":"OpenAI"' in sse
        key = httpx.get(f"{fake.url}/api/v1/key", headers={"authorization": "Bearer test-key"})
        assert key.status_code == 200 and "limit_remaining" in key.json()["data"]
        assert httpx.get(f"{fake.url}/api/v1/key").status_code == 401
        assert httpx.get(f"{fake.url}/api/v1/models").status_code == 200  # public
