import { Monitor, Moon, Sun } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { useModelsQuery, useProfileQuery, useUpdateProfileMutation } from "@/api/endpoints";
import type { Preferences, Theme } from "@/api/types";
import { Card } from "@/components/ui/card";
import { Label } from "@/components/ui/input";
import { errorMessage } from "@/lib/errors";
import { LANGUAGES, setLanguage } from "@/lib/i18n";
import { applyTheme, currentTheme } from "@/lib/theme";
import { cn } from "@/lib/utils";
import { CustomInstructions } from "./CustomInstructions";

const selectCls =
  "h-10 w-full rounded-lg border border-input bg-card px-3 text-sm focus-visible:outline-2 focus-visible:outline-ring";

export function PreferencesSettings() {
  const { t, i18n } = useTranslation();
  const profile = useProfileQuery();
  const models = useModelsQuery();
  const [update] = useUpdateProfileMutation();
  const prefs: Partial<Preferences> = profile.data?.preferences ?? {};
  // The applied theme (PreferenceSync copies the server's choice here on load).
  const [theme, setTheme] = useState<Theme>(currentTheme);

  const save = async (patch: Partial<Preferences>): Promise<boolean> => {
    // Only the changed keys: the server merges them, so two quick changes never undo each other.
    const res = await update({ preferences: patch });
    // i18n.t, not the render's t: a language change must already speak the new language.
    if ("error" in res) {
      toast.error(i18n.t("settings.failed", { message: errorMessage(res.error, i18n.t("common.error")) }));
      return false;
    }
    toast.success(i18n.t("settings.saved"));
    return true;
  };

  const themes: { value: Theme; label: string; Icon: typeof Sun }[] = [
    { value: "light", label: t("settings.themeLight"), Icon: Sun },
    { value: "dark", label: t("settings.themeDark"), Icon: Moon },
    { value: "system", label: t("settings.themeSystem"), Icon: Monitor },
  ];

  return (
    <Card className="space-y-6">
      <fieldset>
        <legend className="text-sm font-medium">{t("settings.theme")}</legend>
        <div className="mt-2 grid grid-cols-3 gap-2" role="radiogroup" aria-label={t("settings.theme")}>
          {themes.map(({ value, label, Icon }) => (
            <button
              key={value}
              type="button"
              role="radio"
              aria-checked={theme === value}
              onClick={() => {
                applyTheme(value);
                setTheme(value);
                void save({ theme: value });
              }}
              className={cn(
                "flex flex-col items-center gap-1.5 rounded-lg border px-3 py-3 text-sm hover:bg-accent",
                theme === value ? "border-primary ring-1 ring-primary" : "border-border",
              )}
            >
              <Icon className="size-5" />
              {label}
            </button>
          ))}
        </div>
      </fieldset>
      <div className="space-y-1.5">
        <Label htmlFor="pref-lang">{t("settings.language")}</Label>
        <select
          id="pref-lang"
          className={selectCls}
          value={i18n.language.slice(0, 2)}
          onChange={(e) => {
            setLanguage(e.target.value);
            void save({ language: e.target.value });
          }}
        >
          {LANGUAGES.map((l) => (
            <option key={l} value={l}>
              {t(`languages.${l}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="pref-model">{t("settings.defaultModel")}</Label>
        <select
          id="pref-model"
          className={selectCls}
          value={prefs.default_model ?? ""}
          onChange={(e) => {
            const m = (models.data?.models ?? []).find((x) => x.id === e.target.value);
            void save({ default_model: m?.id ?? null, default_provider: m?.provider ?? null });
          }}
        >
          <option value="">{t("settings.noDefault")}</option>
          {(models.data?.models ?? [])
            .filter((m) => m.available)
            .map((m) => (
              <option key={`${m.provider}:${m.id}`} value={m.id}>
                {m.display_name} ({m.provider})
              </option>
            ))}
        </select>
      </div>
      <CustomInstructions
        saved={prefs.custom_instructions ?? ""}
        onSave={(value) => save({ custom_instructions: value })}
      />
    </Card>
  );
}
