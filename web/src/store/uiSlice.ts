import { createSlice, type PayloadAction } from "@reduxjs/toolkit";
import type { ReasoningEffort } from "@/api/types";

/** Small client-only choices that survive a reload (they live in localStorage too). */
/** What the details popover shows for an answer, captured from its stream's last event. */
export interface MessageDetails {
  provider: string | null;
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  ttft_ms: number | null;
  duration_ms: number | null;
}

export interface UiState {
  sidebarOpen: boolean;
  /** The model picked for a conversation, keyed by conversation id ("new" for a draft). */
  modelByConversation: Record<string, { model: string; provider: string }>;
  detailsByMessage: Record<string, MessageDetails>;
  /**
   * Think switched on or off in a conversation and not sent yet (the next request saves it
   * on the conversation); memory only, the conversation's `params.reasoning` is the record.
   */
  thinkingByConversation: Record<string, boolean>;
  /** The user's last Think choice: where a new chat starts (localStorage). */
  thinkingLast: boolean;
  /** The last effort chosen in conversation settings: used when a chat has none saved. */
  thinkingEffort: ReasoningEffort;
}

const MODELS_KEY = "polychat.models";
const DETAILS_KEY = "polychat.details";
const THINKING_KEY = "polychat.thinking";
const MAX_DETAILS = 500;
const EFFORTS: readonly ReasoningEffort[] = ["low", "medium", "high"];

/** `{on, effort}` as last chosen; anything unreadable is "off, medium". */
function loadThinking(): { on: boolean; effort: ReasoningEffort } {
  const raw: unknown = load<unknown>(THINKING_KEY);
  const v = raw && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
  const effort = EFFORTS.find((e) => e === v.effort) ?? "medium";
  return { on: v.on === true, effort };
}

function load<T>(key: string): Record<string, T> {
  try {
    return JSON.parse(localStorage.getItem(key) ?? "{}") as Record<string, T>;
  } catch {
    return {};
  }
}

function save(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* storage full or disabled: the value still holds for this session */
  }
}

/** Read when a store is made (not when this module loads), so each store sees storage as it is. */
function initialState(): UiState {
  const thinking = loadThinking();
  return {
    sidebarOpen: typeof window !== "undefined" ? window.innerWidth >= 768 : true,
    modelByConversation: load(MODELS_KEY),
    detailsByMessage: load(DETAILS_KEY),
    thinkingByConversation: {},
    thinkingLast: thinking.on,
    thinkingEffort: thinking.effort,
  };
}

const uiSlice = createSlice({
  name: "ui",
  initialState,
  reducers: {
    sidebarToggled(state, action: PayloadAction<boolean | undefined>) {
      state.sidebarOpen = action.payload ?? !state.sidebarOpen;
    },
    modelChosen(
      state,
      action: PayloadAction<{ conversationId: string; model: string; provider: string }>,
    ) {
      const { conversationId, model, provider } = action.payload;
      state.modelByConversation[conversationId] = { model, provider };
      save(MODELS_KEY, state.modelByConversation);
    },
    /** Think switched in a conversation ("new" for a draft); also the next new chat's start. */
    thinkingChosen(state, action: PayloadAction<{ conversationId: string; on: boolean }>) {
      const { conversationId, on } = action.payload;
      state.thinkingByConversation[conversationId] = on;
      state.thinkingLast = on;
      save(THINKING_KEY, { on, effort: state.thinkingEffort });
    },
    thinkingEffortChosen(state, action: PayloadAction<ReasoningEffort>) {
      state.thinkingEffort = action.payload;
      save(THINKING_KEY, { on: state.thinkingLast, effort: action.payload });
    },
    detailsRecorded(state, action: PayloadAction<{ messageId: string; details: MessageDetails }>) {
      state.detailsByMessage[action.payload.messageId] = action.payload.details;
      const keys = Object.keys(state.detailsByMessage);
      for (const k of keys.slice(0, Math.max(0, keys.length - MAX_DETAILS))) delete state.detailsByMessage[k];
      save(DETAILS_KEY, state.detailsByMessage);
    },
  },
});

export const { sidebarToggled, modelChosen, detailsRecorded, thinkingChosen, thinkingEffortChosen } =
  uiSlice.actions;
export default uiSlice.reducer;
