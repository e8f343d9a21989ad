import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, Navigate, useNavigate } from "react-router";
import { readError } from "@/api/errors";
import { useLoginMutation, useRegisterMutation, useRegistrationStatusQuery } from "@/api/endpoints";
import { Button } from "@/components/ui/button";
import { FieldError, Input, Label } from "@/components/ui/input";
import { useAppDispatch } from "@/store";
import { tokenReceived, userLoaded } from "@/store/authSlice";
import { authView, type AuthMode } from "./authView";

type Field = "login" | "username" | "email" | "password";

/**
 * Sign-in and account creation. The server says first (`GET /api/auth/register`) whether an
 * account can be created and whether it would be the first: a fresh install opens on creating
 * the administrator, a closed server offers sign-in only.
 */
export function AuthPage({ mode }: { mode: AuthMode }) {
  const { t } = useTranslation();
  const status = useRegistrationStatusQuery(undefined, { refetchOnMountOrArgChange: true });
  if (status.isLoading) {
    return (
      <div className="flex min-h-dvh items-center justify-center text-muted-foreground" role="status">
        {t("common.loading")}
      </div>
    );
  }
  // Unknown (the server did not answer): the page the address asked for, as before.
  const view = authView(mode, status.data);
  if (view.redirect) return <Navigate to={view.redirect} replace />;
  return <AuthForm mode={mode} firstUser={view.firstUser} canRegister={view.canRegister} onClosed={() => void status.refetch()} />;
}

function AuthForm({
  mode,
  firstUser,
  canRegister,
  onClosed,
}: {
  mode: AuthMode;
  firstUser: boolean;
  canRegister: boolean;
  onClosed: () => void;
}) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const [login, loginState] = useLoginMutation();
  const [register, registerState] = useRegisterMutation();
  const [values, setValues] = useState<Record<Field, string>>({ login: "", username: "", email: "", password: "" });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const busy = loginState.isLoading || registerState.isLoading;

  const validate = (): boolean => {
    const e: Partial<Record<Field, string>> = {};
    if (mode === "login") {
      if (!values.login.trim()) e.login = t("auth.required");
    } else {
      if (!values.username.trim()) e.username = t("auth.required");
      if (!values.email.trim()) e.email = t("auth.required");
      else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email)) e.email = t("auth.invalidEmail");
    }
    // Length rules live on the server (configurable); its message is shown inline.
    if (!values.password) e.password = t("auth.required");
    setErrors(e);
    return Object.keys(e).length === 0;
  };

  const onSubmit = async (ev: FormEvent) => {
    ev.preventDefault();
    setFormError(null);
    if (!validate()) return;
    const res =
      mode === "login"
        ? await login({ login: values.login.trim(), password: values.password })
        : await register({ username: values.username.trim(), email: values.email.trim(), password: values.password });
    if ("error" in res && res.error) {
      const err = res.error as { status: number | string; data?: unknown };
      const api = readError(err.data, err.status);
      if (err.status === "FETCH_ERROR") setFormError(t("common.networkError"));
      else if (api.status === 429) setFormError(api.message || t("auth.rateLimited"));
      else if (mode === "login" && api.status === 401) setFormError(t("auth.badCredentials"));
      else if (api.code === "registration_closed") {
        // Closed while this page was open: say so here, and let the page catch up.
        setFormError(t("auth.registrationClosed"));
        onClosed();
      } else if (api.status === 409 && /email/i.test(api.message)) setErrors({ email: api.message });
      else if (api.status === 409) setErrors({ username: api.message });
      else if (api.status === 422 && /password/i.test(api.message)) setErrors({ password: api.message });
      else if (api.status === 422 && /email/i.test(api.message)) setErrors({ email: api.message });
      else setFormError(api.message || t("common.error"));
      return;
    }
    if ("data" in res && res.data) {
      dispatch(tokenReceived(res.data.access_token));
      if (res.data.user) dispatch(userLoaded(res.data.user));
      navigate("/", { replace: true });
    }
  };

  const field = (name: Field, label: string, type = "text", autoComplete?: string, hint?: string) => (
    <div className="space-y-1.5">
      <Label htmlFor={`auth-${name}`}>{label}</Label>
      <Input
        id={`auth-${name}`}
        name={name}
        type={type}
        autoComplete={autoComplete}
        value={values[name]}
        onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))}
        aria-invalid={Boolean(errors[name])}
        aria-describedby={errors[name] ? `auth-${name}-error` : hint ? `auth-${name}-hint` : undefined}
      />
      {errors[name] ? (
        <FieldError id={`auth-${name}-error`}>{errors[name]}</FieldError>
      ) : hint ? (
        <p id={`auth-${name}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      ) : null}
    </div>
  );

  const heading = mode === "login" ? t("auth.welcome") : firstUser ? t("auth.adminTitle") : t("auth.welcomeNew");
  return (
    <div className="flex min-h-dvh items-center justify-center px-4 py-10">
      <div className="w-full max-w-sm">
        <div className="mb-8 text-center">
          <img src="/favicon.svg" alt="" className="mx-auto mb-4 size-10" />
          <h1 className="font-serif text-3xl text-balance">{heading}</h1>
          <p className="mt-2 text-muted-foreground text-pretty" data-testid="auth-intro">
            {mode === "register" && firstUser ? t("auth.adminIntro") : t("auth.tagline")}
          </p>
        </div>
        <form onSubmit={onSubmit} noValidate className="space-y-4 rounded-2xl border border-border bg-card p-6 shadow-sm">
          {formError && (
            <div role="alert" className="rounded-lg border border-danger/40 bg-danger/5 px-3 py-2 text-sm text-danger">
              {formError}
            </div>
          )}
          {mode === "login" ? (
            field("login", t("auth.login"), "text", "username")
          ) : (
            <>
              {field("username", t("auth.username"), "text", "username")}
              {field("email", t("auth.email"), "email", "email")}
            </>
          )}
          {field(
            "password",
            t("auth.password"),
            "password",
            mode === "login" ? "current-password" : "new-password",
            mode === "register" ? t("auth.passwordHint") : undefined,
          )}
          <Button type="submit" className="w-full" size="lg" disabled={busy}>
            {busy ? (mode === "login" ? t("auth.signingIn") : t("auth.creating")) : mode === "login" ? t("auth.signIn") : t("auth.signUp")}
          </Button>
        </form>
        {mode === "login" && !canRegister ? (
          <p className="mt-6 text-center text-sm text-muted-foreground text-pretty" data-testid="registration-closed">
            {t("auth.registrationClosed")}
          </p>
        ) : mode === "register" && firstUser ? null /* no account exists yet: nothing to sign in to */ : (
          <p className="mt-6 text-center text-sm text-muted-foreground">
            {mode === "login" ? t("auth.noAccount") : t("auth.haveAccount")}{" "}
            <Link to={mode === "login" ? "/register" : "/login"} className="font-medium text-primary hover:underline">
              {mode === "login" ? t("auth.signUp") : t("auth.signIn")}
            </Link>
          </p>
        )}
      </div>
    </div>
  );
}
