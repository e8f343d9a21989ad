import { lazy, Suspense, useEffect, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { BrowserRouter, Navigate, Route, Routes, useNavigate, useParams } from "react-router";
import { Toaster } from "sonner";
import { api, refreshAccessToken } from "@/api/base";
import { useLogoutMutation, useProfileQuery } from "@/api/endpoints";
import { AppLayout } from "@/features/chat/AppLayout";
import { ChatView } from "@/features/chat/ChatView";
import type { SettingsTab } from "@/features/settings/SettingsPage";
import { setLanguage } from "@/lib/i18n";
import { applyTheme } from "@/lib/theme";
import { useAppDispatch, useAppSelector } from "@/store";
import { signedOut, userLoaded } from "@/store/authSlice";

// Sign-in and Settings are not part of the chat screen's first paint: they load on demand
// (see web/README.md, "What loads lazily"). Their fallbacks are empty, same-coloured
// space, so the short wait never flashes a spinner or a half-drawn layout.
const AuthPage = lazy(() => import("@/features/auth/AuthPage").then((m) => ({ default: m.AuthPage })));
const SettingsPage = lazy(() => import("@/features/settings/SettingsPage").then((m) => ({ default: m.SettingsPage })));

function useSession() {
  const dispatch = useAppDispatch();
  const phase = useAppSelector((s) => s.auth.phase);
  useEffect(() => {
    if (phase === "unknown") void refreshAccessToken(dispatch);
  }, [phase, dispatch]);
  return phase;
}

/** Server-side preferences win over this browser's, once the profile has loaded. */
function PreferenceSync() {
  const dispatch = useAppDispatch();
  const profile = useProfileQuery();
  useEffect(() => {
    const p = profile.data;
    if (!p) return;
    dispatch(userLoaded(p));
    if (p.preferences.theme) applyTheme(p.preferences.theme);
    if (p.preferences.language) setLanguage(p.preferences.language);
  }, [profile.data, dispatch]);
  return null;
}

function Protected({ children }: { children: ReactNode }) {
  const phase = useSession();
  const { t } = useTranslation();
  if (phase === "unknown") {
    return (
      <div className="flex h-dvh items-center justify-center text-muted-foreground" role="status">
        {t("common.loading")}
      </div>
    );
  }
  if (phase === "signed-out") return <Navigate to="/login" replace />;
  return (
    <>
      <PreferenceSync />
      {children}
    </>
  );
}

function PublicOnly({ children }: { children: ReactNode }) {
  const phase = useSession();
  if (phase === "signed-in") return <Navigate to="/" replace />;
  if (phase === "unknown") return null;
  return <Suspense fallback={<div className="h-dvh" />}>{children}</Suspense>;
}

function Shell({ settings }: { settings?: SettingsTab }) {
  const { conversationId } = useParams();
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const [logout] = useLogoutMutation();
  const onLogout = async () => {
    await logout();
    dispatch(signedOut());
    dispatch(api.util.resetApiState());
    navigate("/login", { replace: true });
  };
  return (
    <AppLayout conversationId={conversationId ?? null} onLogout={onLogout}>
      {settings ? (
        <Suspense fallback={<div className="h-full" />}>
          <SettingsPage tab={settings} />
        </Suspense>
      ) : (
        <ChatView key={conversationId ?? "new"} conversationId={conversationId ?? null} />
      )}
    </AppLayout>
  );
}

export function App() {
  const theme = useAppSelector((s) => s.auth.user?.preferences.theme);
  return (
    <BrowserRouter>
      <Routes>
        <Route path="/login" element={<PublicOnly><AuthPage mode="login" /></PublicOnly>} />
        <Route path="/register" element={<PublicOnly><AuthPage mode="register" /></PublicOnly>} />
        <Route path="/" element={<Protected><Shell /></Protected>} />
        <Route path="/c/:conversationId" element={<Protected><Shell /></Protected>} />
        <Route path="/settings" element={<Protected><Shell settings="profile" /></Protected>} />
        <Route path="/settings/preferences" element={<Protected><Shell settings="preferences" /></Protected>} />
        <Route path="/settings/providers" element={<Protected><Shell settings="providers" /></Protected>} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
      <Toaster
        position="bottom-right"
        theme={theme === "dark" ? "dark" : theme === "light" ? "light" : "system"}
        closeButton
        toastOptions={{ className: "!bg-card !text-foreground !border-border" }}
      />
    </BrowserRouter>
  );
}
