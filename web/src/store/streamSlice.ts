import { createSlice, type PayloadAction } from "@reduxjs/toolkit";
import type { AppError } from "@/api/errors";
import type { FilePart, ImagePart } from "@/api/types";

/**
 * The one answer being written, per conversation. Only the streaming bubble subscribes to
 * this slice, so a token never re-renders the finished messages above it.
 */
export interface LiveStream {
  conversationId: string;
  userMessageId: string | null;
  assistantMessageId: string | null;
  /** What the user just sent, shown at once before the server echoes it back. */
  pendingUserText: string | null;
  /** The images sent with it, shown in the same bubble. */
  pendingImages: ImagePart[] | null;
  /** Text files sent with the pending user turn, shown as chips until it is saved. */
  pendingFiles: FilePart[] | null;
  /** Regenerate/edit: the message this new branch replaces on screen while it streams. */
  replaces: string | null;
  /** What was asked, so a Retry asks the same thing again (an edit stays an edit). */
  kind: SendKind;
  text: string;
  /** The reasoning streamed so far (plain text), before the answer text. */
  thinking: string;
  /** When the first thought arrived (ms, `Date.now()`); null before, or when untimed. */
  thinkingStartedAt: number | null;
  /**
   * How long it thought: first thought → first answer text (or the end). Null while thinking,
   * and for good when the timing is unknown (a re-attach replays thoughts all at once).
   */
  thinkingMs: number | null;
  /** False after a re-attach: replayed thoughts carry no timing, so none is measured. */
  timed: boolean;
  provider: string | null;
  model: string | null;
  phase: "connecting" | "streaming" | "done" | "stopped" | "error";
  error: Omit<AppError, "status"> | null;
}

/** A new message, an edit of a user message, or a new answer beside an assistant message. */
export type SendKind = "send" | "edit" | "regenerate";

export interface StreamState {
  byConversation: Record<string, LiveStream>;
}

const initialState: StreamState = { byConversation: {} };

/** The thinking time is measured once: from the first thought to the first answer text. */
function endThinking(s: LiveStream, at: number | undefined): void {
  if (at !== undefined && s.thinkingStartedAt !== null && s.thinkingMs === null) {
    s.thinkingMs = Math.max(0, at - s.thinkingStartedAt);
  }
}

const streamSlice = createSlice({
  name: "stream",
  initialState,
  reducers: {
    streamOpened(
      state,
      action: PayloadAction<{
        key: string;
        pendingUserText: string | null;
        pendingImages?: ImagePart[] | null;
        pendingFiles?: FilePart[] | null;
        replaces?: string | null;
        kind?: SendKind;
        model: string | null;
        provider: string | null;
        assistantMessageId?: string | null;
        text?: string;
        /** False for a re-attach (see `LiveStream.timed`). */
        timed?: boolean;
      }>,
    ) {
      const p = action.payload;
      state.byConversation[p.key] = {
        conversationId: p.key,
        userMessageId: null,
        assistantMessageId: p.assistantMessageId ?? null,
        pendingUserText: p.pendingUserText,
        pendingImages: p.pendingImages ?? null,
        pendingFiles: p.pendingFiles ?? null,
        replaces: p.replaces ?? null,
        kind: p.kind ?? "send",
        text: p.text ?? "",
        thinking: "",
        thinkingStartedAt: null,
        thinkingMs: null,
        timed: p.timed ?? true,
        provider: p.provider,
        model: p.model,
        phase: "connecting",
        error: null,
      };
    },
    streamStarted(
      state,
      action: PayloadAction<{
        key: string;
        conversationId: string;
        userMessageId: string | null;
        assistantMessageId: string | null;
        provider: string | null;
        model: string | null;
      }>,
    ) {
      const p = action.payload;
      const s = state.byConversation[p.key];
      if (!s) return;
      s.conversationId = p.conversationId;
      s.userMessageId = p.userMessageId ?? s.userMessageId;
      s.assistantMessageId = p.assistantMessageId ?? s.assistantMessageId;
      s.provider = p.provider ?? s.provider;
      s.model = p.model ?? s.model;
      s.phase = "streaming";
      if (p.key !== p.conversationId) {
        state.byConversation[p.conversationId] = s;
        delete state.byConversation[p.key];
      }
    },
    /**
     * Answer text. `at`: when its first piece arrived (the batcher holds pieces up to a
     * frame), which ends the thinking time.
     */
    textAppended(state, action: PayloadAction<{ key: string; text: string; at?: number }>) {
      const s = state.byConversation[action.payload.key];
      // After Stop the bubble freezes; the saved answer replaces it once the server has it.
      if (!s || !(s.phase === "connecting" || s.phase === "streaming")) return;
      s.text += action.payload.text;
      endThinking(s, action.payload.at);
    },
    /** Reasoning text; `at`: when its first piece arrived (starts the thinking time). */
    thinkingAppended(state, action: PayloadAction<{ key: string; text: string; at: number }>) {
      const s = state.byConversation[action.payload.key];
      if (!s || !(s.phase === "connecting" || s.phase === "streaming")) return;
      s.thinking += action.payload.text;
      if (s.timed && s.thinkingStartedAt === null) s.thinkingStartedAt = action.payload.at;
    },
    streamEnded(
      state,
      action: PayloadAction<{
        key: string;
        phase: "done" | "stopped" | "error";
        error?: LiveStream["error"];
        /** When it ended: the thinking time of an answer that never wrote text ends here. */
        at?: number;
      }>,
    ) {
      const s = state.byConversation[action.payload.key];
      if (!s) return;
      if (s.phase === "connecting" || s.phase === "streaming") endThinking(s, action.payload.at);
      s.phase = action.payload.phase;
      s.error = action.payload.error ?? null;
    },
    /** A send refused before its answer started: its message went back to the composer. */
    pendingReturned(state, action: PayloadAction<string>) {
      const s = state.byConversation[action.payload];
      if (!s) return;
      s.pendingUserText = null;
      s.pendingImages = null;
      s.pendingFiles = null;
    },
    streamCleared(state, action: PayloadAction<string>) {
      delete state.byConversation[action.payload];
    },
  },
});

export const {
  streamOpened,
  streamStarted,
  textAppended,
  thinkingAppended,
  streamEnded,
  pendingReturned,
  streamCleared,
} = streamSlice.actions;
export default streamSlice.reducer;
