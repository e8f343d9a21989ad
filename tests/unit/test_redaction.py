"""Secrets never reach the logs: the filter alone, and the whole app logging at DEBUG."""

from __future__ import annotations

import io
import logging

import pytest

from polychat.logging_setup import REDACTED, RedactionFilter, configure_logging, redact

SECRETS = {
    "password": "hunter2-but-longer",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX2hlcmU",
    "openai": "sk-proj-AbCdEf0123456789xyz",
    "anthropic": "sk-ant-api03-QWERTYUIOPasdfghjkl",
    "google": "AIzaSyA1234567890abcdefghijklmnopq",
    "opaque": "Zk9yUmVmcmVzaFRva2VuMTIz",
}


@pytest.mark.parametrize(
    "line",
    [
        f"login body: {{'username': 'bob', 'password': '{SECRETS['password']}'}}",
        f'{{"password": "{SECRETS["password"]}", "username": "bob"}}',
        f"headers: {{'authorization': 'Bearer {SECRETS['opaque']}'}}",
        f"Authorization: Bearer {SECRETS['jwt']}",
        f"token in text {SECRETS['jwt']} here",
        f"using key {SECRETS['openai']} for openai",
        f"x-api-key: {SECRETS['anthropic']}",
        f"[(b'x-goog-api-key', b'{SECRETS['google']}')]",
        f"refresh_token={SECRETS['opaque']}&x=1",
        f"new_password={SECRETS['password']}",
        f"api_key='{SECRETS['opaque']}'",
        f"cookie: polychat_refresh={SECRETS['opaque']}",
    ],
)
def test_redact_hides_each_secret_shape(line: str) -> None:
    cleaned = redact(line)
    assert REDACTED in cleaned
    for secret in SECRETS.values():
        assert secret not in cleaned, cleaned


def test_ordinary_text_is_untouched() -> None:
    line = "POST /api/chat 200 3.1ms model=claude-sonnet-4-5 max_tokens=1024 input_tokens: 42"
    assert redact(line) == line


def test_filter_covers_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactionFilter())
    logger = logging.getLogger("polychat.test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("calling with %s", {"api_key": SECRETS["openai"]})
        try:
            raise RuntimeError(f"upstream refused key {SECRETS['anthropic']}")
        except RuntimeError:
            logger.exception("provider failed")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "provider failed" in output and "RuntimeError" in output
    for secret in SECRETS.values():
        assert secret not in output


def test_json_logs_are_one_object_per_line() -> None:
    import json

    stream = io.StringIO()
    handler = configure_logging("INFO", json_logs=True, stream=stream)
    try:
        logging.getLogger("polychat.test").info("hello %s", "world")
    finally:
        logging.getLogger().removeHandler(handler)
    record = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert record["message"] == "hello world" and record["level"] == "INFO"
    assert record["request_id"] == "-"
