import { createSlice, type PayloadAction } from "@reduxjs/toolkit";

/** Small client-only choices that survive a reload (they live in localStorage too). */
export interface UiState {
  sidebarOpen: boolean;
  /** The model picked for a conversation, keyed by conversation id ("new" for a draft). */
  modelByConversation: Record<string, { model: string; provider: string }>;
}

const MODELS_KEY = "polychat.models";

function loadModels(): UiState["modelByConversation"] {
  try {
    return JSON.parse(localStorage.getItem(MODELS_KEY) ?? "{}") as UiState["modelByConversation"];
  } catch {
    return {};
  }
}

const initialState: UiState = {
  sidebarOpen: typeof window !== "undefined" ? window.innerWidth >= 768 : true,
  modelByConversation: loadModels(),
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
      try {
        localStorage.setItem(MODELS_KEY, JSON.stringify(state.modelByConversation));
      } catch {
        /* storage full or disabled: the choice still holds for this session */
      }
    },
  },
});

export const { sidebarToggled, modelChosen } = uiSlice.actions;
export default uiSlice.reducer;
