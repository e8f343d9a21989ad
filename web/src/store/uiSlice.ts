import { createSlice, type PayloadAction } from "@reduxjs/toolkit";

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
}

const MODELS_KEY = "polychat.models";
const DETAILS_KEY = "polychat.details";
const MAX_DETAILS = 500;

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

const initialState: UiState = {
  sidebarOpen: typeof window !== "undefined" ? window.innerWidth >= 768 : true,
  modelByConversation: load(MODELS_KEY),
  detailsByMessage: load(DETAILS_KEY),
};

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
    detailsRecorded(state, action: PayloadAction<{ messageId: string; details: MessageDetails }>) {
      state.detailsByMessage[action.payload.messageId] = action.payload.details;
      const keys = Object.keys(state.detailsByMessage);
      for (const k of keys.slice(0, Math.max(0, keys.length - MAX_DETAILS))) delete state.detailsByMessage[k];
      save(DETAILS_KEY, state.detailsByMessage);
    },
  },
});

export const { sidebarToggled, modelChosen, detailsRecorded } = uiSlice.actions;
export default uiSlice.reducer;
