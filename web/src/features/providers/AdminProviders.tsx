import { Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import {
  useCreateCustomProviderMutation,
  useDeleteCustomProviderMutation,
  usePatchProviderMutation,
  useSaveKeyMutation,
} from "@/api/endpoints";
import type { ProviderInfo } from "@/api/types";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Label } from "@/components/ui/input";
import { Switch } from "@/components/ui/switch";
import { errorMessage } from "@/lib/errors";
import { ProviderIcon } from "./ProviderIcon";

function AdminRow({ provider }: { provider: ProviderInfo }) {
  const { t } = useTranslation();
  const [saveKey, saveState] = useSaveKeyMutation();
  const [patch, patchState] = usePatchProviderMutation();
  const [key, setKey] = useState("");
  const [baseUrl, setBaseUrl] = useState(provider.base_url ?? "");
  const id = `admin-${provider.id}`;
  const toggle = async (patchBody: { instance_enabled?: boolean; allow_user_keys?: boolean }) => {
    const res = await patch({ provider: provider.id, ...patchBody });
    if ("error" in res) toast.error(t("providers.saveFailed", { message: errorMessage(res.error, t("common.error")) }));
    else toast.success(t("settings.saved"));
  };
  return (
    <div className="grid gap-3 border-t border-border py-4 first:border-t-0 md:grid-cols-[13rem_1fr_1fr] md:items-start">
      <div className="space-y-2">
        <div className="flex items-center gap-2 font-medium">
          <ProviderIcon provider={provider.id} displayName={provider.display_name} />
          <span className="truncate">{provider.display_name}</span>
        </div>
        <label className="flex items-center gap-2 text-xs text-muted-foreground">
          <Switch
            checked={provider.instance_enabled}
            onCheckedChange={(v) => void toggle({ instance_enabled: v })}
            aria-label={`${t("providers.instanceEnabled")}: ${provider.display_name}`}
          />
          {t("providers.instanceEnabled")}
        </label>
        {provider.requires_key && (
          <label className="flex items-center gap-2 text-xs text-muted-foreground">
            <Switch
              checked={provider.allow_user_keys}
              onCheckedChange={(v) => void toggle({ allow_user_keys: v })}
              aria-label={`${t("providers.allowUserKeys")}: ${provider.display_name}`}
            />
            {t("providers.allowUserKeys")}
          </label>
        )}
      </div>
      {provider.requires_key ? (
        <form
          className="flex gap-2"
          onSubmit={async (e) => {
            e.preventDefault();
            const res = await saveKey({ provider: provider.id, api_key: key.trim(), scope: "instance" });
            if ("error" in res) toast.error(t("providers.saveFailed", { message: errorMessage(res.error, t("common.error")) }));
            else {
              setKey("");
              toast.success(t("providers.keySaved", { provider: provider.display_name }));
            }
          }}
        >
          <Input
            id={`${id}-key`}
            type="password"
            autoComplete="off"
            aria-label={`${t("providers.instanceKey")}: ${provider.display_name}`}
            placeholder={t("providers.instanceKey")}
            value={key}
            onChange={(e) => setKey(e.target.value)}
            className="font-mono"
          />
          <Button type="submit" variant="outline" disabled={!key.trim() || saveState.isLoading}>
            {t("common.save")}
          </Button>
        </form>
      ) : (
        <span className="self-center text-sm text-muted-foreground">{t("providers.noKeyNeeded")}</span>
      )}
      <form
        className="flex gap-2"
        onSubmit={async (e) => {
          e.preventDefault();
          const res = await patch({ provider: provider.id, base_url: baseUrl.trim() || null });
          if ("error" in res) toast.error(t("providers.saveFailed", { message: errorMessage(res.error, t("common.error")) }));
          else toast.success(t("providers.baseUrlSaved"));
        }}
      >
        <Input
          aria-label={`${t("providers.baseUrl")}: ${provider.display_name}`}
          placeholder={t("providers.baseUrl")}
          value={baseUrl}
          onChange={(e) => setBaseUrl(e.target.value)}
          className="font-mono text-xs"
        />
        <Button type="submit" variant="outline" disabled={patchState.isLoading}>
          {t("common.save")}
        </Button>
      </form>
    </div>
  );
}

function CustomProviderForm() {
  const { t } = useTranslation();
  const [create, state] = useCreateCustomProviderMutation();
  const [v, setV] = useState({ id: "", display_name: "", base_url: "", api_key: "", models: "" });
  const set = (k: keyof typeof v) => (e: React.ChangeEvent<HTMLInputElement>) => setV((x) => ({ ...x, [k]: e.target.value }));
  return (
    <form
      className="grid gap-3 sm:grid-cols-2"
      onSubmit={async (e) => {
        e.preventDefault();
        const models = v.models.split(",").map((s) => s.trim()).filter(Boolean);
        const res = await create({
          id: v.id.trim(),
          display_name: v.display_name.trim() || v.id.trim(),
          base_url: v.base_url.trim(),
          ...(v.api_key.trim() ? { api_key: v.api_key.trim() } : {}),
          ...(models.length ? { model_allowlist: models } : {}),
        });
        if ("error" in res) toast.error(t("providers.saveFailed", { message: errorMessage(res.error, t("common.error")) }));
        else {
          toast.success(t("providers.customAdded", { name: v.display_name || v.id }));
          setV({ id: "", display_name: "", base_url: "", api_key: "", models: "" });
        }
      }}
    >
      <div className="space-y-1">
        <Label htmlFor="cp-id">{t("providers.customId")}</Label>
        <Input id="cp-id" value={v.id} onChange={set("id")} required pattern="[a-z][a-z0-9_\-]{1,39}" placeholder="my-llm" />
      </div>
      <div className="space-y-1">
        <Label htmlFor="cp-name">{t("providers.customName")}</Label>
        <Input id="cp-name" value={v.display_name} onChange={set("display_name")} placeholder={t("providers.customNameExample")} />
      </div>
      <div className="space-y-1">
        <Label htmlFor="cp-url">{t("providers.baseUrl")}</Label>
        <Input id="cp-url" value={v.base_url} onChange={set("base_url")} required placeholder="https://llm.example.com/v1" />
      </div>
      <div className="space-y-1">
        <Label htmlFor="cp-key">{t("providers.apiKey")}</Label>
        <Input id="cp-key" type="password" autoComplete="off" value={v.api_key} onChange={set("api_key")} />
      </div>
      <div className="space-y-1 sm:col-span-2">
        <Label htmlFor="cp-models">{t("providers.customModels")}</Label>
        <Input id="cp-models" value={v.models} onChange={set("models")} placeholder="llama-3.1-70b, qwen2.5-coder" />
      </div>
      <div className="sm:col-span-2">
        <Button type="submit" disabled={state.isLoading || !v.id.trim() || !v.base_url.trim()}>
          <Plus />
          {t("providers.customAdd")}
        </Button>
      </div>
    </form>
  );
}

/** Admin-only: instance-wide keys, base URLs and custom OpenAI-compatible endpoints. */
export function AdminProviders({ providers }: { providers: ProviderInfo[] }) {
  const { t } = useTranslation();
  const [remove] = useDeleteCustomProviderMutation();
  const custom = providers.filter((p) => p.custom);
  return (
    <section data-testid="admin-providers">
      <h2 className="text-lg font-semibold">{t("providers.admin")}</h2>
      <p className="mt-1 text-sm text-muted-foreground">{t("providers.adminSubtitle")}</p>
      <Card className="mt-4 py-1">
        {providers.filter((p) => !p.custom).map((p) => (
          <AdminRow key={p.id} provider={p} />
        ))}
      </Card>
      <h3 className="mt-8 font-semibold">{t("providers.custom")}</h3>
      {custom.length > 0 && (
        <ul className="mt-3 space-y-2">
          {custom.map((p) => (
            <li key={p.id} className="flex items-center gap-2 rounded-lg border border-border bg-card px-3 py-2 text-sm">
              <ProviderIcon provider={p.id} displayName={p.display_name} />
              <span className="font-medium">{p.display_name}</span>
              <span className="truncate font-mono text-xs text-muted-foreground">{p.base_url}</span>
              <Button
                variant="ghost"
                size="icon-sm"
                className="ml-auto"
                aria-label={`${t("common.delete")}: ${p.display_name}`}
                onClick={async () => {
                  const res = await remove(p.id);
                  if ("error" in res) toast.error(errorMessage(res.error, t("common.error")));
                  else toast.success(t("providers.customDeleted"));
                }}
              >
                <Trash2 />
              </Button>
            </li>
          ))}
        </ul>
      )}
      <Card className="mt-3">
        <CustomProviderForm />
      </Card>
    </section>
  );
}
