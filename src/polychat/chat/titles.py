"""Conversation titles: a short generated one when a provider can write it, else first words.

Runs after the first answer is saved, in the background, so it never delays a reply; a title
request that fails or hangs (bounded by a timeout) just leaves the first-words title.
"""

from __future__ import annotations

import asyncio
import logging
import re

from polychat.providers.base import BaseProvider, ChatRequest, Message, ProviderError, Usage

log = logging.getLogger(__name__)

TITLE_PROMPT = (
    "Write a title of at most six words for the conversation below. Reply with the title "
    "only: no quotes, no punctuation at the end."
)
MAX_TITLE = 80


def first_words(text: str, words: int = 6) -> str:
    """A title made of the first words of the user's message: always available, instant."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return "New conversation"
    parts = cleaned.split(" ")
    title = " ".join(parts[:words])
    if len(parts) > words:
        title += "…"
    return title[:MAX_TITLE]


def clean_title(raw: str) -> str | None:
    line = next((ln.strip() for ln in raw.splitlines() if ln.strip()), "")
    line = re.sub(r"^(title\s*:\s*)", "", line, flags=re.IGNORECASE)
    line = line.strip().strip("\"'`*#").strip().rstrip(".!")
    return line[:MAX_TITLE] or None


async def generate_title(
    provider: BaseProvider, model: str, user_text: str, answer: str, timeout_s: float = 15.0
) -> tuple[str, Usage | None]:
    """The generated title and what it cost, or the first words (and no usage) when the
    provider cannot give one in time."""
    fallback = first_words(user_text)
    request = ChatRequest(
        model=model,
        messages=(
            Message.user(
                f"{TITLE_PROMPT}\n\nUser: {user_text[:2000]}\n\nAssistant: {answer[:2000]}"
            ),
        ),
        max_tokens=24,
        temperature=0.3,
    )
    try:
        response = await asyncio.wait_for(provider.send_message(request), timeout_s)
    except (ProviderError, TimeoutError) as error:
        log.info("title generation failed (%r); using first words", error)
        return fallback, None
    return clean_title(response.text) or fallback, response.usage
