"""Planning a turn: what a chat request means before anything is written or asked.

From a request body, `TurnPlanner.plan` decides where the turn goes (a new conversation, the
active branch, beside an edited message or a regenerated answer), which providers may answer
(the chosen one, then the failover chain), the parameters and system prompt (saved ones
reused), the new user message's stored parts, and the history each provider is sent
(`chat/history.py`, from stored parts in one pass). It refuses a request that cannot be
answered (400/404/409 `ChatError`s) before the first write. It writes nothing and starts
nothing: `ChatService.begin` commits the plan's turn and starts the generation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from polychat.chat import store
from polychat.chat.errors import ChatError, from_provider, not_found
from polychat.chat.history import has_images, prompt_chars, to_provider_messages
from polychat.chat.hub import StreamHub
from polychat.chat.options import ChatOptions
from polychat.chat.parts import StoredFile, StoredImage, StoredPart, StoredText, dump_parts
from polychat.chat.ports import Access, Resolved
from polychat.chat.reasoning import model_reasons, wanted_effort
from polychat.chat.runner import Candidate
from polychat.chat.schemas import Attachment, ChatBody, FileAttachment
from polychat.db.models import Conversation
from polychat.db.repositories import conversations as conversations_repo
from polychat.errors import AppError
from polychat.providers.base import ChatRequest, ProviderError

log = logging.getLogger(__name__)

# Body fields saved on the conversation and reused by later turns that do not send them.
SAVED_PARAMS = ("temperature", "top_p", "max_tokens", "stop", "reasoning")


@dataclass(frozen=True, slots=True)
class TurnPlan:
    """A turn ready to be written and run."""

    turn: store.NewTurn
    """What the writer commits: the user's message (unless regenerating) and settings."""
    request: ChatRequest
    """What the first candidate is asked (each candidate gets it with its own model)."""
    candidates: list[Candidate]
    """The chosen provider, then the usable failover targets, in order."""
    prompt_chars: int
    """Characters of text sent, for estimating tokens a provider does not report."""
    user_text: str
    """The new message's text (the title's source when the conversation needs one)."""
    untitled: bool
    """An existing conversation without a title (a new one always gets one)."""


@dataclass(frozen=True, slots=True)
class _Target:
    conv: Conversation | None
    path: list[store.StoredMessage]
    parent_id: int | None
    regenerate_parent_id: int | None


class TurnPlanner:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        access: Access,
        hub: StreamHub,
        options: ChatOptions,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.access = access
        self.hub = hub
        self.options = options

    async def plan(
        self, user_id: int, body: ChatBody, *, default_system: str | None = None
    ) -> TurnPlan:
        """The plan for `body`; raises the `ChatError` a client should see when there is
        nothing to answer, the target is not the user's, or no model can take the turn."""
        async with self.sessionmaker() as session:
            resolved = await self._resolve(session, user_id, body.model, body.provider)
            target = await self._target(session, user_id, body)
            conv = target.conv
            chain = await self._failover(session, user_id, body, conv, resolved)

        history_items: list[tuple[str, str]] = []
        content = body.content
        stored = list(target.path)
        if conv is None:
            history_items = [(m.role, m.content) for m in body.messages or []]
            if content is None and history_items and history_items[-1][0] == "user":
                content = history_items.pop()[1]
            stored = [
                store.StoredMessage(0, None, role, text, None, "complete")
                for role, text in history_items
            ]
        new_parts = user_parts(content, body) if target.regenerate_parent_id is None else []
        messages = to_provider_messages(stored, new_parts)
        if not messages or messages[-1].role != "user":
            raise ChatError(400, "empty_message", "there is no user message to answer")

        caps = resolved.provider.get_capabilities(resolved.model)
        if has_images(messages) and not caps.vision:
            raise ChatError(
                400,
                "capability_unsupported",
                f"{resolved.model} cannot read images: pick a model with vision",
            )

        params: dict[str, Any] = dict(conv.params or {}) if conv is not None else {}
        for name in SAVED_PARAMS:
            value = getattr(body, name)
            if value is not None:
                params[name] = value
        # Thinking is asked for whenever the conversation wants it; each candidate (the chosen
        # model, then the failover chain) gets it only if its model can think (runner.py).
        effort = wanted_effort(params.get("reasoning"))
        system: str | None
        if body.system is not None:
            system = body.system
        elif conv is not None:
            system = conv.system_prompt
        else:
            system = default_system
        request = ChatRequest(
            model=resolved.model,
            messages=tuple(messages),
            system=system or None,
            temperature=params.get("temperature"),
            top_p=params.get("top_p"),
            max_tokens=params.get("max_tokens"),
            stop=tuple(params.get("stop") or ()),
            reasoning=effort,
        )
        failover_json = (
            {"chain": [f.model_dump() for f in body.failover]}
            if body.failover is not None
            else None
        )
        turn = store.NewTurn(
            user_id=user_id,
            conversation_id=conv.id if conv is not None else None,
            parent_id=target.parent_id,
            history=history_items,
            user_content=None if target.regenerate_parent_id is not None else (content or ""),
            user_parts=dump_parts(new_parts) or None,
            regenerate_parent_id=target.regenerate_parent_id,
            provider=resolved.provider_id,
            model=resolved.model,
            system_prompt=system,
            params=params or None,
            failover=failover_json,
            set_system=body.system is not None,
            set_params=any(getattr(body, n) is not None for n in SAVED_PARAMS),
            set_failover=body.failover is not None,
        )  # fmt: skip
        candidates = [
            Candidate(resolved.provider, resolved.provider_id, resolved.model, resolved.key_source),
            *chain,
        ]
        if effort is not None:
            candidates = [
                replace(c, reasoning=model_reasons(c.provider, c.model)) for c in candidates
            ]
        return TurnPlan(
            turn=turn,
            request=request,
            candidates=candidates,
            prompt_chars=prompt_chars(messages, system),
            user_text=content or "",
            untitled=conv is not None and not conv.title,
        )

    async def _resolve(
        self, session: AsyncSession, user_id: int, model: str, provider: str | None
    ) -> Resolved:
        try:
            resolved: Resolved = await self.access.resolve(session, user_id, model, provider)
        except ProviderError as error:
            raise from_provider(error) from None
        return resolved

    async def _target(self, session: AsyncSession, user_id: int, body: ChatBody) -> _Target:
        """Where the new turn goes: a new conversation, the active branch, beside an edited
        user message, or beside a regenerated answer."""
        if body.edit_message_id is not None and body.regenerate_message_id is not None:
            raise ChatError(
                400,
                "invalid_request",
                "edit_message_id and regenerate_message_id exclude each other",
            )
        anchor_id = body.edit_message_id or body.regenerate_message_id
        if anchor_id is None and body.conversation_id is None:
            if body.content is None and not body.messages and not body.attachments:
                raise ChatError(400, "empty_message", "send `content`, `messages` or `attachments`")
            return _Target(None, [], None, None)
        if body.messages:
            raise ChatError(
                400,
                "invalid_request",
                "`messages` starts a new conversation; with an existing one send `content`",
            )
        anchor = None
        if anchor_id is not None:
            anchor = await conversations_repo.message(session, anchor_id)
            if anchor is None:
                raise not_found("message")
            conv_id = anchor.conversation_id
            if body.conversation_id is not None and body.conversation_id != conv_id:
                raise not_found("message")
        else:
            assert body.conversation_id is not None
            conv_id = body.conversation_id
        conv = await store.get_conversation(session, user_id, conv_id)
        messages = await store.conversation_messages(session, conv.id)
        if body.regenerate_message_id is not None:
            assert anchor is not None
            if anchor.role != "assistant" or anchor.parent_id is None:
                raise ChatError(400, "invalid_request", "only an answer can be regenerated")
            live = self.hub.get(anchor.id)
            if live is not None and not live.finished:
                raise ChatError(409, "still_streaming", "stop this answer before regenerating it")
            return _Target(conv, store.path_to(messages, anchor.parent_id), None, anchor.parent_id)
        if body.edit_message_id is not None:
            assert anchor is not None
            if anchor.role != "user":
                raise ChatError(400, "invalid_request", "only a user message can be edited")
            return _Target(conv, store.path_to(messages, anchor.parent_id), anchor.parent_id, None)
        return _Target(
            conv, store.path_to(messages, conv.active_leaf_id), conv.active_leaf_id, None
        )

    async def _failover(
        self,
        session: AsyncSession,
        user_id: int,
        body: ChatBody,
        conv: Conversation | None,
        primary: Resolved,
    ) -> list[Candidate]:
        """The failover chain as candidates; targets not usable by this user are skipped."""
        if body.failover is not None:
            pairs = [(f.provider, f.model) for f in body.failover]
        elif conv is not None and conv.failover and isinstance(conv.failover.get("chain"), list):
            pairs = [
                (str(f.get("provider")), str(f.get("model")))
                for f in conv.failover["chain"]
                if isinstance(f, dict)
            ]
        else:
            pairs = list(self.options.failover)
        out: list[Candidate] = []
        for provider, model in pairs:
            if provider == primary.provider_id:
                continue
            try:
                r = await self._resolve(session, user_id, model, provider)
            except AppError as error:
                log.info("failover target %s/%s unusable: %s", provider, model, error.code)
                continue
            out.append(Candidate(r.provider, r.provider_id, r.model, r.key_source))
        return out


def user_parts(content: str | None, body: ChatBody) -> list[StoredPart]:
    """The new user turn's stored parts: its text, then images, then files (the history
    puts files before the text when it sends them, see `chat/history.py`)."""
    parts: list[StoredPart] = []
    if content is not None and content.strip():
        parts.append(StoredText(text=content))
    attachments = body.attachments or []
    for a in attachments:
        if isinstance(a, Attachment):
            parts.append(StoredImage(media_type=a.media_type, data=a.data))
    for a in attachments:
        if isinstance(a, FileAttachment):
            parts.append(StoredFile(name=a.name, media_type=a.media_type, text=a.text))
    if not parts:
        raise ChatError(400, "empty_message", "the message is empty")
    return parts
