import type { FetchBaseQueryMeta } from "@reduxjs/toolkit/query/react";
import { tokenReceived } from "@/store/authSlice";
import { api } from "./base";
import type { components } from "./schema.gen";
import { toConversation, toConversationSummary, toModelsResult, toSearchHit } from "./views";
import type {
  Conversation,
  ConversationPage,
  ConversationSearchPage,
  ConversationParams,
  ModelsResult,
  Preferences,
  ProviderInfo,
  RegistrationStatus,
  TestResult,
  TokenResponse,
  User,
} from "./types";

type Schemas = components["schemas"];

const CONVERSATION_PAGE = 50;
const SEARCH_PAGE = 20;

/** `GET/PUT /api/admin/settings`. */
export type AdminSettings = Schemas["AdminSettings"];

export interface ExportedFile {
  text: string;
  type: string;
  filename: string;
}

/** The `filename="…"` of an attachment (the server makes it safe ASCII), else a fallback. */
export function attachmentFilename(header: string | null, arg: { id: string; format: "markdown" | "json" }): string {
  const name = header ? /filename="([^"]+)"/.exec(header)?.[1] : undefined;
  return name || `conversation-${arg.id}.${arg.format === "json" ? "json" : "md"}`;
}

export const polychatApi = api.injectEndpoints({
  endpoints: (b) => ({
    login: b.mutation<TokenResponse, { login: string; password: string }>({
      query: ({ login, password }) => ({
        url: "/auth/login",
        method: "POST",
        body: { username: login, password },
      }),
    }),
    // Asked by the sign-in page before anyone is signed in; always fresh (the first account,
    // or an admin closing registration, changes it), never kept once the page is gone.
    registrationStatus: b.query<RegistrationStatus, void>({
      query: () => "/auth/register",
      keepUnusedDataFor: 0,
    }),
    register: b.mutation<TokenResponse, { username: string; email: string; password: string }>({
      query: (body) => ({ url: "/auth/register", method: "POST", body }),
    }),
    logout: b.mutation<void, void>({
      query: () => ({ url: "/auth/logout", method: "POST", body: {} }),
    }),
    profile: b.query<User, void>({
      query: () => "/users/profile",
      providesTags: ["Profile"],
    }),
    updateProfile: b.mutation<
      User,
      { display_name?: string | null; email?: string | null; preferences?: Partial<Preferences> }
    >({
      query: (body) => ({ url: "/users/profile", method: "PUT", body }),
      invalidatesTags: ["Profile"],
    }),
    changePassword: b.mutation<
      { access_token?: string | null },
      { current_password: string; new_password: string }
    >({
      query: (body) => ({ url: "/users/profile", method: "PUT", body }),
      // The old access token died with the change: store the new one before anything else
      // asks the server. A refetch with the old token would 401 and rotate the refresh
      // cookie, and a reload during that rotation signs the user out.
      async onQueryStarted(_arg, { dispatch, queryFulfilled }) {
        try {
          const { data } = await queryFulfilled;
          if (data.access_token) dispatch(tokenReceived(data.access_token));
        } catch {
          // the form shows the error
        }
      },
    }),

    providers: b.query<ProviderInfo[], void>({
      query: () => "/providers",
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
    // rename or delete far down the list shows without losing the user's place. The sidebar
    // keeps two lists, starred and the rest, so no conversation is listed twice.
    conversations: b.infiniteQuery<ConversationPage, { pinned: boolean }, string | null>({
      infiniteQueryOptions: {
        initialPageParam: null,
        getNextPageParam: (last) => last.next_cursor,
      },
      query: ({ queryArg, pageParam }) =>
        `/conversations?limit=${CONVERSATION_PAGE}&pinned=${queryArg.pinned}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ""}`,
      transformResponse: (r: Schemas["ConversationPage"]): ConversationPage => ({
        items: r.items.map(toConversationSummary),
        next_cursor: r.next_cursor,
      }),
      providesTags: ["Conversations"],
    }),
    // Server-side search over every chat (titles and message text). One cache entry per query
    // text, so a slow answer for an older query never shows under a newer one; the tag makes a
    // rename, star or delete refresh the results too.
    searchConversations: b.infiniteQuery<ConversationSearchPage, string, string | null>({
      infiniteQueryOptions: {
        initialPageParam: null,
        getNextPageParam: (last) => last.next_cursor,
      },
      query: ({ queryArg, pageParam }) =>
        `/conversations/search?q=${encodeURIComponent(queryArg)}&limit=${SEARCH_PAGE}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ""}`,
      transformResponse: (r: Schemas["ConversationSearchPage"]): ConversationSearchPage => ({
        items: r.items.map(toSearchHit),
        next_cursor: r.next_cursor,
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
      {
        id: string;
        model?: string;
        provider?: string;
        active_message_id?: number;
        system_prompt?: string | null;
        params?: ConversationParams;
      }
    >({
      query: ({ id, ...body }) => ({
        url: `/conversations/${encodeURIComponent(id)}`,
        method: "PUT",
        body,
      }),
      invalidatesTags: (_r, _e, a) => ["Conversations", { type: "Conversation", id: a.id }],
    }),
    starConversation: b.mutation<unknown, { id: string; pinned: boolean }>({
      query: ({ id, pinned }) => ({
        url: `/conversations/${encodeURIComponent(id)}`,
        method: "PUT",
        body: { pinned },
      }),
      invalidatesTags: (_r, _e, a) => ["Conversations", { type: "Conversation", id: a.id }],
    }),
    // Instance switches (admins only). The PUT answers the new state, which becomes the cache.
    adminSettings: b.query<AdminSettings, void>({
      query: () => "/admin/settings",
    }),
    updateAdminSettings: b.mutation<AdminSettings, Partial<AdminSettings>>({
      query: (body) => ({ url: "/admin/settings", method: "PUT", body }),
      async onQueryStarted(_arg, { dispatch, queryFulfilled }) {
        const { data } = await queryFulfilled.catch(() => ({ data: null }));
        if (data) dispatch(polychatApi.util.updateQueryData("adminSettings", undefined, () => data));
      },
    }),
    // The file comes as text (Markdown or JSON); the component turns it into a download. The
    // server's safe file name rides in Content-Disposition.
    exportConversation: b.mutation<ExportedFile, { id: string; format: "markdown" | "json" }>({
      query: ({ id, format }) => ({
        url: `/conversations/${encodeURIComponent(id)}/export?format=${format}`,
        responseHandler: "text",
        cache: "no-store",
      }),
      transformResponse: (text: string, meta, arg): ExportedFile => ({
        text,
        type: arg.format === "json" ? "application/json" : "text/markdown",
        filename: attachmentFilename(
          (meta as FetchBaseQueryMeta | undefined)?.response?.headers.get("content-disposition") ?? null,
          arg,
        ),
      }),
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
  useRegistrationStatusQuery,
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
  useSearchConversationsInfiniteQuery,
  useLazyOlderMessagesQuery,
  useConversationQuery,
  useRenameConversationMutation,
  useUpdateConversationMutation,
  useStarConversationMutation,
  useExportConversationMutation,
  useAdminSettingsQuery,
  useUpdateAdminSettingsMutation,
  useDeleteConversationMutation,
  useStopGenerationMutation,
} = polychatApi;
