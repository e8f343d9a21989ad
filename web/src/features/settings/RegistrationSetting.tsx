import { useId } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { useAdminSettingsQuery, useUpdateAdminSettingsMutation } from "@/api/endpoints";
import { Card } from "@/components/ui/card";
import { Switch } from "@/components/ui/switch";
import { errorMessage } from "@/lib/errors";

/** Admins only: whether visitors may create accounts (`registration_open`). */
export function RegistrationSetting() {
  const { t } = useTranslation();
  const id = useId();
  const settings = useAdminSettingsQuery();
  const [update, state] = useUpdateAdminSettingsMutation();
  if (!settings.data) return null;
  const open = settings.data.registration_open;
  return (
    <Card data-testid="admin-registration">
      <h2 className="font-semibold">{t("settings.registrationTitle")}</h2>
      <div className="mt-3 flex items-start justify-between gap-4">
        <div className="min-w-0">
          <label htmlFor={`${id}-switch`} className="text-sm font-medium">
            {t("settings.registrationLabel")}
          </label>
          <p id={`${id}-hint`} className="mt-1 text-sm text-muted-foreground text-pretty">
            {open ? t("settings.registrationOpenHint") : t("settings.registrationClosedHint")}
          </p>
        </div>
        <Switch
          id={`${id}-switch`}
          checked={open}
          disabled={state.isLoading}
          aria-describedby={`${id}-hint`}
          onCheckedChange={async (value) => {
            const res = await update({ registration_open: value });
            if ("error" in res) toast.error(t("settings.failed", { message: errorMessage(res.error, t("common.error")) }));
            else toast.success(t("settings.saved"));
          }}
        />
      </div>
    </Card>
  );
}
