import {
  createApi,
  fetchBaseQuery,
  type BaseQueryFn,
  type FetchArgs,
  type FetchBaseQueryError,
} from "@reduxjs/toolkit/query/react";
import { signedOut, tokenReceived } from "@/store/authSlice";

interface TokenState {
  auth: { token: string | null };
}

const rawBaseQuery = fetchBaseQuery({
  baseUrl: "/api",
  credentials: "same-origin",
  prepareHeaders: (headers, { getState }) => {
    const token = (getState() as TokenState).auth.token;
    if (token) headers.set("Authorization", `Bearer ${token}`);
    return headers;
  },
});

/**
 * Refresh tokens rotate on every use and a reused one revokes the whole family, so two
 * requests that hit 401 together must share a single refresh call.
 */
let refreshing: Promise<string | null> | null = null;

const REFRESH_LOCK = "polychat-auth-refresh";

/**
 * One refresh at a time across every tab of this origin (Web Locks): tabs share the refresh
 * cookie, and two tabs waking together (a laptop opening) would otherwise present the same
 * token twice, which the server must treat as theft and sign everyone out. A tab that waited
 * sends the cookie the first one got back.
 */
export function acrossTabs<T>(run: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  return locks ? locks.request(REFRESH_LOCK, run) : run();
}

export function refreshAccessToken(dispatch: (a: unknown) => unknown): Promise<string | null> {
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const res = await acrossTabs(() =>
          fetch("/api/auth/refresh", {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json" },
            body: "{}",
          }),
        );
        if (!res.ok) {
          dispatch(signedOut());
          return null;
        }
        const data = (await res.json()) as { access_token?: string };
        if (!data.access_token) {
          dispatch(signedOut());
          return null;
        }
        dispatch(tokenReceived(data.access_token));
        return data.access_token;
      } catch {
        return null;
      } finally {
        setTimeout(() => {
          refreshing = null;
        }, 0);
      }
    })();
  }
  return refreshing;
}

const NO_REFRESH = ["/auth/login", "/auth/register", "/auth/refresh", "/auth/logout"];

const baseQueryWithReauth: BaseQueryFn<string | FetchArgs, unknown, FetchBaseQueryError> = async (
  args,
  api,
  extra,
) => {
  let result = await rawBaseQuery(args, api, extra);
  const url = typeof args === "string" ? args : args.url;
  if (result.error?.status === 401 && !NO_REFRESH.some((p) => url.startsWith(p))) {
    const token = await refreshAccessToken(api.dispatch);
    if (token) result = await rawBaseQuery(args, api, extra);
  }
  return result;
};

export const api = createApi({
  reducerPath: "api",
  baseQuery: baseQueryWithReauth,
  tagTypes: ["Profile", "Providers", "Models", "Conversations", "Conversation"],
  endpoints: () => ({}),
});
