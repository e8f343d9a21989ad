import { createSlice, type PayloadAction } from "@reduxjs/toolkit";
import type { User } from "@/api/types";

/**
 * The access token lives only in memory: a page reload gets a new one from the httpOnly
 * refresh cookie, so nothing script-readable can be stolen from storage.
 */
export interface AuthState {
  token: string | null;
  user: User | null;
  /** "unknown" until the first silent refresh has answered. */
  phase: "unknown" | "signed-in" | "signed-out";
}

const initialState: AuthState = { token: null, user: null, phase: "unknown" };

const authSlice = createSlice({
  name: "auth",
  initialState,
  reducers: {
    tokenReceived(state, action: PayloadAction<string>) {
      state.token = action.payload;
      state.phase = "signed-in";
    },
    userLoaded(state, action: PayloadAction<User>) {
      state.user = action.payload;
    },
    signedOut(state) {
      state.token = null;
      state.user = null;
      state.phase = "signed-out";
    },
  },
});

export const { tokenReceived, userLoaded, signedOut } = authSlice.actions;
export default authSlice.reducer;
