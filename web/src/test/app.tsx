/**
 * Shared setup for component tests that render part of the app: the store seeded with a chat,
 * the store + router wrapper, and a fake server behind `fetch`. One copy here instead of one
 * per test file, so a change to the app's wiring (a new provider, a new cached query) is made once.
 */
import { render, type RenderResult } from "@testing-library/react";
import type { ReactElement } from "react";
import { Provider } from "react-redux";
import { MemoryRouter } from "react-router";
import { vi } from "vitest";
import { polychatApi } from "@/api/endpoints";
import type { ChatMessage, Conversation, ModelInfo, ProviderInfo, User } from "@/api/types";
import { makeStore, type AppStore } from "@/store";
import { model, provider } from "./fixtures";

/** A finished message as the API returns it; Claude answers, the user asks. */
export function chatMessage(
  id: string,
  role: "user" | "assistant",
  content: string,
  parent: string | null,
  over: Partial<ChatMessage> = {},
): ChatMessage {
  return {
    id,
    parent_id: parent,
    role,
    content,
    provider: role === "assistant" ? "claude" : null,
    model: role === "assistant" ? "claude-sonnet-4-6" : null,
    status: "complete",
    error: null,
    created_at: null,
    siblings: [id],
    usage: null,
    ...over,
  };
}

/** Conversation "1" with Claude and the `messages` given (plus any `over` fields). */
export function chatConversation(
  title: string,
  messages: ChatMessage[],
  over: Partial<Conversation> = {},
): Conversation {
  return {
    id: "1",
    title,
    provider: "claude",
    model: "claude-sonnet-4-6",
    created_at: null,
    updated_at: null,
    ...over,
    messages,
  };
}

/** The signed-in user most chat tests use. */
export const ADA: User = {
  id: 7,
  username: "ada",
  email: "ada@example.com",
  display_name: "Ada",
  is_admin: false,
  preferences: { theme: "system" },
  created_at: "2026-01-01T00:00:00Z",
};

export interface ChatSeed {
  conversation: Conversation;
  /** The profile query's answer; left out, the profile is not cached. */
  user?: User;
  /** Defaults to Claude Sonnet 4.6 as the default model. */
  models?: ModelInfo[];
  /** Defaults to Claude alone. */
  providers?: ProviderInfo[];
}

/**
 * A store whose query cache already holds the conversation (under id "1"), the profile, the
 * models and the providers, so a ChatView renders at once without a server.
 */
export function seededChatStore(seed: ChatSeed): AppStore {
  const store = makeStore();
  const upsert = polychatApi.util.upsertQueryData;
  void store.dispatch(upsert("conversation", "1", seed.conversation));
  if (seed.user) void store.dispatch(upsert("profile", undefined, seed.user));
  const models = seed.models ?? [model("claude-sonnet-4-6", "claude", { is_default: true })];
  void store.dispatch(upsert("models", undefined, { models, errors: {} }));
  void store.dispatch(upsert("providers", undefined, seed.providers ?? [provider("claude")]));
  return store;
}

/** Renders `ui` inside the app's store and an in-memory router (at `route`, default "/"). */
export function renderWithApp(
  ui: ReactElement,
  { store = makeStore(), route }: { store?: AppStore; route?: string } = {},
): RenderResult {
  return render(
    <Provider store={store}>
      <MemoryRouter initialEntries={route === undefined ? undefined : [route]}>{ui}</MemoryRouter>
    </Provider>,
  );
}

/** Node's Request refuses relative URLs; the app calls `/api/...` as a browser would. */
export class BrowserRequest extends Request {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    super(typeof input === "string" ? new URL(input, "http://localhost").href : input, init);
  }
}

/**
 * Puts a fake server behind `fetch` (and a Request that accepts `/api/...` URLs). Undo with
 * `vi.unstubAllGlobals()` in the file's `afterEach`.
 */
export function stubServer(
  handler: (input: RequestInfo | URL, init?: RequestInit) => Response | Promise<Response>,
): void {
  vi.stubGlobal("Request", BrowserRequest);
  vi.stubGlobal("fetch", vi.fn(handler));
}

/** A JSON answer, as the API sends it. */
export const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
