import { api } from "./base";
import {
  toConversation,
  toConversationSummary,
  nextCursor,
  toList,
  toModelsResult,
  toProvider,
  toTestResult,
  toUser,
} from "./normalize";
import type {
  Conversation,
  ConversationPage,
  ModelsResult,
  Preferences,
  ProviderInfo,
  TestResult,
  TokenResponse,
  User,
} from "./types";

const CONVERSATION_PAGE = 50;

export const polychatApi = api.injectEndpoints({
  endpoints: (b) => ({
    login: b.mutation<TokenResponse, { login: string; password: string }>({
      query: ({ login, password }) => ({
        url: "/auth/login",
        method: "POST",
        body: { username: login, password },
      }),
    }),
    register: b.mutation<TokenResponse, { username: string; email: string; password: string }>({
      query: (body) => ({ url: "/auth/register", method: "POST", body }),
    }),
    logout: b.mutation<void, void>({
      query: () => ({ url: "/auth/logout", method: "POST", body: {} }),
    }),
    profile: b.query<User, void>({
      query: () => "/users/profile",
      transformResponse: toUser,
      providesTags: ["Profile"],
    }),
    updateProfile: b.mutation<
      User,
      { display_name?: string | null; email?: string | null; preferences?: Preferences }
    >({
      query: (body) => ({ url: "/users/profile", method: "PUT", body }),
      transformResponse: toUser,
      invalidatesTags: ["Profile"],
    }),
    changePassword: b.mutation<
      { access_token?: string | null },
      { current_password: string; new_password: string }
    >({
      query: (body) => ({ url: "/users/profile", method: "PUT", body }),
      invalidatesTags: ["Profile"],
    }),

    providers: b.query<ProviderInfo[], void>({
      query: () => "/providers",
      transformResponse: (r: unknown) => toList(r, toProvider),
      providesTags: ["Providers"],
    }),
    saveKey: b.mutation<unknown, { provider: string; api_key: string; scope?: "user" | "instance" }>(
      {
        query: ({ provider, ...body }) => ({
          url: `/providers/${encodeURIComponent(provider)}/key`,
          method: "POST",
          body,
        }),
        invalidatesTags: ["Providers", "Models"],
      },
    ),
    deleteKey: b.mutation<unknown, { provider: string; scope?: "user" | "instance" }>({
      query: ({ provider, scope }) => ({
        url: `/providers/${encodeURIComponent(provider)}/key${scope ? `?scope=${scope}` : ""}`,
        method: "DELETE",
      }),
      invalidatesTags: ["Providers", "Models"],
    }),
    testProvider: b.mutation<TestResult, { provider: string; api_key?: string }>({
      query: ({ provider, api_key }) => ({
        url: `/providers/${encodeURIComponent(provider)}/test`,
        method: "POST",
        body: api_key ? { api_key } : {},
      }),
      transformResponse: (r: unknown, _m, arg) => toTestResult(r, arg.provider),
      invalidatesTags: ["Providers", "Models"],
    }),
    patchProvider: b.mutation<
      unknown,
      {
        provider: string;
        enabled?: boolean;
        instance_enabled?: boolean;
        base_url?: string | null;
        allow_user_keys?: boolean;
      }
    >({
      query: ({ provider, ...body }) => ({
        url: `/providers/${encodeURIComponent(provider)}`,
        method: "PATCH",
        body,
      }),
      invalidatesTags: ["Providers", "Models"],
    }),
    createCustomProvider: b.mutation<
      unknown,
      {
        id: string;
        display_name: string;
        base_url: string;
        api_key?: string;
        model_allowlist?: string[];
      }
    >({
      query: (body) => ({ url: "/admin/providers", method: "POST", body }),
      invalidatesTags: ["Providers", "Models"],
    }),
    deleteCustomProvider: b.mutation<unknown, string>({
      query: (id) => ({ url: `/admin/providers/${encodeURIComponent(id)}`, method: "DELETE" }),
      invalidatesTags: ["Providers", "Models"],
    }),
    models: b.query<ModelsResult, void>({
      query: () => "/models?all=true",
      transformResponse: toModelsResult,
      providesTags: ["Models"],
    }),

    // Pages of 50 follow the server's cursor; invalidation refetches every loaded page, so a
    // rename or delete far down the list shows without losing the user's place.
    conversations: b.infiniteQuery<ConversationPage, void, string | null>({
      infiniteQueryOptions: {
        initialPageParam: null,
        getNextPageParam: (last) => last.next_cursor,
      },
      query: ({ pageParam }) =>
        `/conversations?limit=${CONVERSATION_PAGE}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ""}`,
      transformResponse: (r: unknown): ConversationPage => ({
        items: toList(r, toConversationSummary),
        next_cursor: nextCursor(r),
      }),
      providesTags: ["Conversations"],
    }),
    conversation: b.query<Conversation, string>({
      query: (id) => `/conversations/${encodeURIComponent(id)}?limit=500`,
      transformResponse: toConversation,
      providesTags: (_r, _e, id) => [{ type: "Conversation", id }],
    }),
    // A page of the active branch before a message; kept out of the conversation's cache so
    // refetching the newest page after each answer never drops or duplicates it.
    olderMessages: b.query<Conversation, { id: string; before: string }>({
      query: ({ id, before }) =>
        `/conversations/${encodeURIComponent(id)}?limit=100&before=${encodeURIComponent(before)}`,
      transformResponse: toConversation,
      keepUnusedDataFor: 0,
    }),
    renameConversation: b.mutation<unknown, { id: string; title: string }>({
      query: ({ id, title }) => ({
        url: `/conversations/${encodeURIComponent(id)}`,
        method: "PUT",
        body: { title },
      }),
      invalidatesTags: (_r, _e, a) => ["Conversations", { type: "Conversation", id: a.id }],
    }),
    updateConversation: b.mutation<
      unknown,
      { id: string; model?: string; provider?: string; active_message_id?: number }
    >({
      query: ({ id, ...body }) => ({
        url: `/conversations/${encodeURIComponent(id)}`,
        method: "PUT",
        body,
      }),
      invalidatesTags: (_r, _e, a) => ["Conversations", { type: "Conversation", id: a.id }],
    }),
    deleteConversation: b.mutation<unknown, string>({
      query: (id) => ({ url: `/conversations/${encodeURIComponent(id)}`, method: "DELETE" }),
      invalidatesTags: ["Conversations"],
    }),
    stopGeneration: b.mutation<unknown, string>({
      query: (messageId) => ({
        url: `/chat/${encodeURIComponent(messageId)}/stop`,
        method: "POST",
        body: {},
      }),
    }),
  }),
});

export const {
  useLoginMutation,
  useRegisterMutation,
  useLogoutMutation,
  useProfileQuery,
  useUpdateProfileMutation,
  useChangePasswordMutation,
  useProvidersQuery,
  useSaveKeyMutation,
  useDeleteKeyMutation,
  useTestProviderMutation,
  usePatchProviderMutation,
  useCreateCustomProviderMutation,
  useDeleteCustomProviderMutation,
  useModelsQuery,
  useConversationsInfiniteQuery,
  useLazyOlderMessagesQuery,
  useConversationQuery,
  useRenameConversationMutation,
  useUpdateConversationMutation,
  useDeleteConversationMutation,
  useStopGenerationMutation,
} = polychatApi;
