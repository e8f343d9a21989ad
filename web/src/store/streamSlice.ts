import { createSlice, type PayloadAction } from "@reduxjs/toolkit";
import type { ImagePart } from "@/api/types";

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
  /** Regenerate/edit: the message this new branch replaces on screen while it streams. */
  replaces: string | null;
  /** What was asked, so a Retry asks the same thing again (an edit stays an edit). */
  kind: SendKind;
  text: string;
  provider: string | null;
  model: string | null;
  phase: "connecting" | "streaming" | "done" | "stopped" | "error";
  error: { code: string; message: string; retryable: boolean } | null;
}

/** A new message, an edit of a user message, or a new answer beside an assistant message. */
export type SendKind = "send" | "edit" | "regenerate";

export interface StreamState {
  byConversation: Record<string, LiveStream>;
}

const initialState: StreamState = { byConversation: {} };

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
        replaces?: string | null;
        kind?: SendKind;
        model: string | null;
        provider: string | null;
        assistantMessageId?: string | null;
        text?: string;
      }>,
    ) {
      const p = action.payload;
      state.byConversation[p.key] = {
        conversationId: p.key,
        userMessageId: null,
        assistantMessageId: p.assistantMessageId ?? null,
        pendingUserText: p.pendingUserText,
        pendingImages: p.pendingImages ?? null,
        replaces: p.replaces ?? null,
        kind: p.kind ?? "send",
        text: p.text ?? "",
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
    textAppended(state, action: PayloadAction<{ key: string; text: string }>) {
      const s = state.byConversation[action.payload.key];
      // After Stop the bubble freezes; the saved answer replaces it once the server has it.
      if (s && (s.phase === "connecting" || s.phase === "streaming")) s.text += action.payload.text;
    },
    streamEnded(
      state,
      action: PayloadAction<{
        key: string;
        phase: "done" | "stopped" | "error";
        error?: LiveStream["error"];
      }>,
    ) {
      const s = state.byConversation[action.payload.key];
      if (!s) return;
      s.phase = action.payload.phase;
      s.error = action.payload.error ?? null;
    },
    /** A send refused before its answer started: its message went back to the composer. */
    pendingReturned(state, action: PayloadAction<string>) {
      const s = state.byConversation[action.payload];
      if (!s) return;
      s.pendingUserText = null;
      s.pendingImages = null;
    },
    streamCleared(state, action: PayloadAction<string>) {
      delete state.byConversation[action.payload];
    },
  },
});

export const { streamOpened, streamStarted, textAppended, streamEnded, pendingReturned, streamCleared } =
  streamSlice.actions;
export default streamSlice.reducer;
