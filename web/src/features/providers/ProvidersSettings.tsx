import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import {
  useDeleteKeyMutation,
  usePatchProviderMutation,
  useProfileQuery,
  useProvidersQuery,
  useSaveKeyMutation,
  useTestProviderMutation,
} from "@/api/endpoints";
import type { ProviderInfo, TestResult } from "@/api/types";
import { errorMessage } from "@/lib/errors";
import { AdminProviders } from "./AdminProviders";
import { ProviderCard } from "./ProviderCard";

function ConnectedCard({ provider }: { provider: ProviderInfo }) {
  const { t } = useTranslation();
  const [saveKey, saveState] = useSaveKeyMutation();
  const [deleteKey] = useDeleteKeyMutation();
  const [test, testState] = useTestProviderMutation();
  const [patch] = usePatchProviderMutation();
  const [lastTest, setLastTest] = useState<TestResult | null>(null);
  const name = provider.display_name;

  const runTest = async () => {
    setLastTest(null);
    const res = await test({ provider: provider.id });
    if ("data" in res && res.data) {
      setLastTest(res.data);
      if (res.data.success) toast.success(t("providers.testOk", { provider: name, ms: Math.round(res.data.latency_ms) }));
      else toast.error(t("providers.testFailed", { provider: name, message: res.data.error ?? "" }));
    } else {
      const message = errorMessage(res.error, t("common.error"));
      setLastTest({ success: false, provider: provider.id, latency_ms: 0, error: message });
      toast.error(t("providers.testFailed", { provider: name, message }));
    }
  };

  return (
    <ProviderCard
      provider={provider}
      testing={testState.isLoading}
      saving={saveState.isLoading}
      lastTest={lastTest}
      onSaveKey={async (key) => {
        const res = await saveKey({ provider: provider.id, api_key: key });
        if ("error" in res) {
          toast.error(t("providers.saveFailed", { message: errorMessage(res.error, t("common.error")) }));
          return false;
        }
        toast.success(t("providers.keySaved", { provider: name }));
        void runTest();
        return true;
      }}
      onRemoveKey={async () => {
        const res = await deleteKey({ provider: provider.id });
        if ("error" in res) toast.error(t("providers.saveFailed", { message: errorMessage(res.error, t("common.error")) }));
        else {
          setLastTest(null);
          toast.success(t("providers.keyRemoved", { provider: name }));
        }
      }}
      onTest={runTest}
      onToggle={async (enabled) => {
        const res = await patch({ provider: provider.id, enabled });
        if ("error" in res) toast.error(t("providers.saveFailed", { message: errorMessage(res.error, t("common.error")) }));
        else toast.success(t("settings.saved"));
      }}
    />
  );
}

export function ProvidersSettings() {
  const { t } = useTranslation();
  const providers = useProvidersQuery();
  const profile = useProfileQuery();
  return (
    <div className="space-y-8">
      <section>
        <h2 className="text-lg font-semibold">{t("providers.title")}</h2>
        <p className="mt-1 text-sm text-muted-foreground">{t("providers.subtitle")}</p>
        {providers.isLoading && <p className="mt-4 text-sm text-muted-foreground">{t("common.loading")}</p>}
        {providers.isError && (
          <p role="alert" className="mt-4 text-sm text-danger">
            {errorMessage(providers.error, t("common.error"))}
          </p>
        )}
        <div className="mt-4 grid gap-4 lg:grid-cols-2">
          {(providers.data ?? []).map((p) => (
            <ConnectedCard key={p.id} provider={p} />
          ))}
        </div>
      </section>
      {profile.data?.is_admin && providers.data && <AdminProviders providers={providers.data} />}
    </div>
  );
}
