import { useState } from "react";
import type { User } from "@/api/types";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { useChangePasswordMutation, useProfileQuery, useUpdateProfileMutation } from "@/api/endpoints";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { FieldError, Input, Label } from "@/components/ui/input";
import { errorMessage } from "@/lib/errors";
import { RegistrationSetting } from "./RegistrationSetting";

export function ProfileSettings() {
  const profile = useProfileQuery();
  if (!profile.data) return null;
  return <ProfileForms key={String(profile.data.id)} user={profile.data} />;
}

function ProfileForms({ user }: { user: User }) {
  const { t } = useTranslation();
  const [update, updateState] = useUpdateProfileMutation();
  const [changePassword, pwState] = useChangePasswordMutation();
  const [displayName, setDisplayName] = useState(user.display_name ?? "");
  const [email, setEmail] = useState(user.email ?? "");
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [pwError, setPwError] = useState<string | null>(null);

  return (
    <div className="space-y-6">
      <Card>
        <h2 className="font-semibold">{t("settings.account")}</h2>
        <p className="mt-1 text-sm text-muted-foreground">
          {user.username}
          {user.is_admin && (
            <span className="ml-2 rounded bg-primary/10 px-1.5 py-0.5 text-xs text-primary">{t("settings.admin")}</span>
          )}
        </p>
        <form
          className="mt-4 grid gap-4 sm:grid-cols-2"
          onSubmit={async (e) => {
            e.preventDefault();
            const res = await update({ display_name: displayName.trim() || null, email: email.trim() || null });
            if ("error" in res) toast.error(t("settings.failed", { message: errorMessage(res.error, t("common.error")) }));
            else toast.success(t("settings.saved"));
          }}
        >
          <div className="space-y-1.5">
            <Label htmlFor="p-name">{t("settings.displayName")}</Label>
            <Input id="p-name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} autoComplete="name" />
          </div>
          <div className="space-y-1.5">
            <Label htmlFor="p-email">{t("settings.email")}</Label>
            <Input id="p-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" />
          </div>
          <div className="sm:col-span-2">
            <Button type="submit" disabled={updateState.isLoading}>
              {updateState.isLoading ? t("common.saving") : t("common.save")}
            </Button>
          </div>
        </form>
      </Card>

      {user.is_admin && <RegistrationSetting />}

      <Card>
        <h2 className="font-semibold">{t("settings.password")}</h2>
        <form
          className="mt-4 grid gap-4 sm:grid-cols-2"
          onSubmit={async (e) => {
            e.preventDefault();
            setPwError(null);
            const res = await changePassword({ current_password: current, new_password: next });
            if ("error" in res) setPwError(errorMessage(res.error, t("common.error")));
            else {
              setCurrent("");
              setNext("");
              toast.success(t("settings.passwordChanged"));
            }
          }}
        >
          <div className="space-y-1.5">
            <Label htmlFor="pw-current">{t("settings.currentPassword")}</Label>
            <Input id="pw-current" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
          </div>
          <div className="space-y-1.5">
            <Label htmlFor="pw-new">{t("settings.newPassword")}</Label>
            <Input
              id="pw-new"
              type="password"
              autoComplete="new-password"
              value={next}
              onChange={(e) => setNext(e.target.value)}
              required
              aria-invalid={Boolean(pwError)}
              aria-describedby={pwError ? "pw-error" : undefined}
            />
          </div>
          <div className="sm:col-span-2">
            <FieldError id="pw-error">{pwError}</FieldError>
            <Button type="submit" className="mt-2" disabled={pwState.isLoading || !current || !next}>
              {t("settings.changePassword")}
            </Button>
          </div>
        </form>
      </Card>
    </div>
  );
}
