import { refreshAccessToken } from "@/api/base";
import { polychatApi } from "@/api/endpoints";
import { ApiFailure, readError } from "@/api/errors";
import { readSse, type SseEvent } from "@/api/sse";
import type { ChatEvent, FilePart, ImagePart, ReasoningSetting } from "@/api/types";
import i18n from "@/lib/i18n";
import type { AppDispatch, RootState } from "@/store";
import { detailsRecorded } from "@/store/uiSlice";
import type { StreamRegistry, ThunkExtra } from "./streamRegistry";
import {
  streamCleared,
  streamEnded,
  streamOpened,
  streamStarted,
  textAppended,
  thinkingAppended,
} from "@/store/streamSlice";

type Obj = Record<string, unknown>;

/** The typed event of one SSE frame: the `event:` line names it and the `data:` line holds the
 * rest of the server's `ChatEvent` (its OpenAPI schema, generated into `schema.gen.ts`). A
 * frame that is not a JSON object is no event of ours and is skipped. */
function chatEvent(frame: SseEvent): ChatEvent | null {
  if (typeof frame.data !== "object" || frame.data === null) return null;
  return { ...frame.data, event: frame.event } as ChatEvent;
}

export interface SendArgs {
  /** Existing conversation id, or null to create one. */
  conversationId: string | null;
  content: string;
  model: string;
  provider: string;
  regenerateMessageId?: string | null;
  editMessageId?: string | null;
  /** Images sent with the new (or edited) user turn. */
  images?: readonly ImagePart[];
  /** Text files sent with the new (or edited) user turn. */
  files?: readonly FilePart[];
  /** Think: an effort or "off" (saved on the conversation); absent: the conversation's own. */
  reasoning?: ReasoningSetting;
}

/**
 * How a send ended, for the caller: `refused` means it failed before the answer started
 * (network down, a 400 such as a model that cannot read images, a 429), so nothing was
 * written and the message can go back into the composer.
 */
export interface SendResult {
  outcome: "answered" | "refused" | "stopped";
  /** The stream's key at the end (a new chat's "draft-…" or its conversation id). */
  key: string;
  /** Why it was refused or failed (absent when it was answered or stopped). */
  error?: { message: string; retryable: boolean };
}

/**
 * Tokens arrive faster than the screen refreshes; appending them once per frame keeps the
 * store (and the one bubble that reads it) at 60 updates a second at most. Thoughts and
 * answer text are held apart (thoughts go first: they came first) with the time the first
 * piece of each batch arrived, so the thinking time is not rounded to frames.
 */
function makeBatcher(dispatch: AppDispatch, key: () => string) {
  let text = "";
  let textAt = 0;
  let thinking = "";
  let thinkingAt = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (thinking) {
      dispatch(thinkingAppended({ key: key(), text: thinking, at: thinkingAt }));
      thinking = "";
    }
    if (text) {
      dispatch(textAppended({ key: key(), text, at: textAt }));
      text = "";
    }
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    if (typeof requestAnimationFrame === "function" && !document.hidden) {
      requestAnimationFrame(flush);
    } else {
      setTimeout(flush, 16);
    }
  };
  return {
    push(piece: string) {
      if (!text) textAt = Date.now();
      text += piece;
      schedule();
    },
    pushThinking(piece: string) {
      // A thought after answer text (rare) must not be shown before that text: flush first.
      if (text) flush();
      if (!thinking) thinkingAt = Date.now();
      thinking += piece;
      schedule();
    },
    flush,
  };
}

async function authorizedFetch(
  url: string,
  init: RequestInit,
  getState: () => RootState,
  dispatch: AppDispatch,
): Promise<Response> {
  const attempt = (token: string | null) =>
    fetch(url, {
      ...init,
      credentials: "same-origin",
      headers: {
        ...(init.headers as Record<string, string>),
        Accept: "text/event-stream",
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
    });
  let res = await attempt(getState().auth.token);
  if (res.status === 401) {
    const token = await refreshAccessToken(dispatch);
    if (token) res = await attempt(token);
  }
  if (!res.ok) {
    const body: unknown = await res.json().catch(() => null); // not JSON: the status text says it
    const error = readError(body, res.status);
    throw new ApiFailure({ ...error, message: error.message || res.statusText });
  }
  return res;
}

async function consume(
  res: Response,
  initialKey: string,
  dispatch: AppDispatch,
  streams: StreamRegistry,
  onConversation?: (id: string) => void,
): Promise<string> {
  let key = initialKey;
  const batch = makeBatcher(dispatch, () => key);
  let ended = false;
  for await (const raw of readSse(res)) {
    const ev = chatEvent(raw);
    if (!ev) continue;
    switch (ev.event) {
      case "start": {
        batch.flush();
        const conversationId = String(ev.conversation_id);
        const answerId = String(ev.assistant_message_id);
        dispatch(
          streamStarted({
            key,
            conversationId,
            userMessageId: String(ev.user_message_id),
            assistantMessageId: answerId,
            provider: ev.provider,
            model: ev.model,
          }),
        );
        if (conversationId !== key) {
          streams.controllers.set(conversationId, streams.controllers.get(key) as AbortController);
          streams.controllers.delete(key);
          key = conversationId;
          onConversation?.(conversationId);
        }
        const controller = streams.controllers.get(key);
        if (controller && streams.stopRequested.delete(controller)) {
          void dispatch(polychatApi.endpoints.stopGeneration.initiate(answerId));
        }
        break;
      }
      case "thinking":
        if (ev.text) batch.pushThinking(ev.text);
        break;
      case "delta":
        if (ev.text) batch.push(ev.text);
        break;
      case "done": {
        batch.flush();
        dispatch(
          detailsRecorded({
            messageId: String(ev.message_id),
            details: {
              provider: ev.provider,
              model: ev.model,
              input_tokens: ev.usage?.input_tokens ?? null,
              output_tokens: ev.usage?.output_tokens ?? null,
              cost_usd: ev.usage?.cost_usd ?? null,
              ttft_ms: ev.ttft_ms,
              duration_ms: ev.duration_ms,
            },
          }),
        );
        if (ev.status !== "error") {
          dispatch(streamEnded({ at: Date.now(), key, phase: ev.status === "stopped" ? "stopped" : "done" }));
        }
        ended = true;
        break;
      }
      case "error": {
        batch.flush();
        const { code, message, retryable } = readError(ev);
        dispatch(streamEnded({ at: Date.now(), key, phase: "error", error: { code, message, retryable } }));
        ended = true;
        break;
      }
      default:
        break;
    }
  }
  batch.flush();
  if (!ended) dispatch(streamEnded({ at: Date.now(), key, phase: "done" }));
  return key;
}

function afterStream(dispatch: AppDispatch, key: string, isNew = false) {
  dispatch(polychatApi.util.invalidateTags(["Conversations", { type: "Conversation", id: key }, "Providers"]));
  if (isNew) {
    // A new conversation's title is written just after its first answer: look again soon.
    for (const ms of [1500, 5000]) {
      setTimeout(() => dispatch(polychatApi.util.invalidateTags(["Conversations", { type: "Conversation", id: key }])), ms);
    }
  }
}

/** Send a message (or regenerate / edit) and stream the answer into the stream slice. */
export function sendMessage(args: SendArgs, onConversation?: (id: string) => void) {
  return async (dispatch: AppDispatch, getState: () => RootState, { streams }: ThunkExtra): Promise<SendResult> => {
    const key = args.conversationId ?? `draft-${Date.now()}`;
    const controller = new AbortController();
    streams.controllers.set(key, controller);
    dispatch(
      streamOpened({
        key,
        pendingUserText: args.regenerateMessageId ? null : args.content,
        pendingImages: !args.regenerateMessageId && args.images?.length ? [...args.images] : null,
        pendingFiles: !args.regenerateMessageId && args.files?.length ? [...args.files] : null,
        replaces: args.regenerateMessageId ?? args.editMessageId ?? null,
        kind: args.regenerateMessageId ? "regenerate" : args.editMessageId ? "edit" : "send",
        model: args.model,
        provider: args.provider,
      }),
    );
    // The server forbids unknown fields and wants numeric ids.
    const body: Obj = { model: args.model, provider: args.provider };
    if (args.conversationId) body.conversation_id = Number(args.conversationId);
    if (args.regenerateMessageId) {
      body.regenerate_message_id = Number(args.regenerateMessageId);
    } else {
      body.content = args.content;
      const attachments: Obj[] = [
        ...(args.images ?? []).map((a) => ({ type: "image", media_type: a.media_type, data: a.data })),
        ...(args.files ?? []).map((f) => ({ type: "file", name: f.name, media_type: f.media_type, text: f.text })),
      ];
      if (attachments.length) body.attachments = attachments;
    }
    if (args.editMessageId) body.edit_message_id = Number(args.editMessageId);
    if (args.reasoning) body.reasoning = args.reasoning;
    let finalKey = key;
    let outcome: SendResult["outcome"] = "answered";
    let failure: SendResult["error"];
    try {
      const res = await authorizedFetch(
        "/api/chat/stream",
        {
          method: "POST",
          body: JSON.stringify(body),
          headers: { "Content-Type": "application/json" },
          signal: controller.signal,
        },
        getState,
        dispatch,
      );
      finalKey = await consume(res, key, dispatch, streams, onConversation);
    } catch (err) {
      const current = getState().stream.byConversation;
      finalKey = current[key]
        ? key
        : (Object.keys(current).find((k) => streams.controllers.get(k) === controller) ?? key);
      if (controller.signal.aborted) {
        outcome = "stopped";
        dispatch(streamEnded({ at: Date.now(), key: finalKey, phase: "stopped" }));
      } else {
        if (current[finalKey]?.phase === "connecting") outcome = "refused";
        const e = readError(err);
        // fetch's own "Failed to fetch" / "NetworkError…" says little: say it plainly.
        failure = { message: e.message || i18n.t("common.networkError"), retryable: e.retryable };
        dispatch(streamEnded({ at: Date.now(), key: finalKey, phase: "error", error: { code: e.code, ...failure } }));
      }
    } finally {
      streams.controllers.delete(finalKey);
      afterStream(dispatch, finalKey, !args.conversationId);
    }
    return failure ? { outcome, key: finalKey, error: failure } : { outcome, key: finalKey };
  };
}

/** Re-attach to an answer still being written (after a reload): replay, then follow live. */
export function reattach(conversationId: string, messageId: string, text: string) {
  return async (dispatch: AppDispatch, getState: () => RootState, { streams }: ThunkExtra): Promise<void> => {
    if (streams.controllers.has(conversationId)) return;
    const controller = new AbortController();
    streams.controllers.set(conversationId, controller);
    dispatch(
      streamOpened({
        key: conversationId,
        pendingUserText: null,
        model: null,
        provider: null,
        assistantMessageId: messageId,
        text: "",
        timed: false,
      }),
    );
    let replayed = false;
    try {
      const res = await authorizedFetch(
        `/api/chat/${encodeURIComponent(messageId)}/stream`,
        { method: "GET", signal: controller.signal },
        getState,
        dispatch,
      );
      replayed = true;
      await consume(res, conversationId, dispatch, streams);
    } catch {
      if (!replayed) {
        // The answer finished between the page load and the re-attach: show what was saved.
        dispatch(textAppended({ key: conversationId, text }));
      }
      dispatch(streamEnded({ at: Date.now(), key: conversationId, phase: "done" }));
    } finally {
      streams.controllers.delete(conversationId);
      afterStream(dispatch, conversationId);
    }
  };
}

/** Whether this store is listening to `conversationId`'s stream (dispatch it: it returns the answer). */
export function isStreaming(conversationId: string) {
  return (_dispatch: AppDispatch, _getState: () => RootState, { streams }: ThunkExtra): boolean =>
    streams.controllers.has(conversationId);
}

/** Stop: ask the server to end the generation, and stop listening. */
export function stopStream(conversationId: string) {
  return async (dispatch: AppDispatch, getState: () => RootState, { streams }: ThunkExtra): Promise<void> => {
    const live = getState().stream.byConversation[conversationId];
    const messageId = live?.assistantMessageId;
    const controller = streams.controllers.get(conversationId);
    if (messageId) {
      await dispatch(polychatApi.endpoints.stopGeneration.initiate(messageId));
    } else if (controller) {
      // Not started yet: the answer's id arrives with "start"; stop it then.
      streams.stopRequested.add(controller);
    }
    dispatch(streamEnded({ at: Date.now(), key: conversationId, phase: "stopped" }));
    // The server closes the stream with a final "done"; stop listening anyway if it is slow.
    if (controller) {
      setTimeout(() => {
        if (!streams.stopRequested.has(controller)) controller.abort();
      }, 1500);
      setTimeout(() => {
        streams.stopRequested.delete(controller);
        controller.abort();
      }, 10_000);
    }
  };
}

export function clearStream(conversationId: string) {
  return (dispatch: AppDispatch) => dispatch(streamCleared(conversationId));
}
