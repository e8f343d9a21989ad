import { useMemo } from "react";
import { useModelsQuery, useProfileQuery, useProvidersQuery } from "@/api/endpoints";
import type { ModelInfo } from "@/api/types";
import { healthyModels, pickDefaultModel } from "@/features/models/grouping";
import { useAppDispatch, useAppSelector } from "@/store";
import { modelChosen } from "@/store/uiSlice";

const NO_ERRORS: Record<string, string> = {};

/**
 * The model a conversation uses: what the user picked for it, else what the conversation
 * last used, else the user's default, else a provider default.
 */
export function useModelChoice(
  conversationKey: string,
  fromConversation: { model: string | null; provider: string | null } | null,
) {
  const dispatch = useAppDispatch();
  const models = useModelsQuery();
  const providers = useProvidersQuery();
  const profile = useProfileQuery();
  const picked = useAppSelector((s) => s.ui.modelByConversation[conversationKey]);
  const all = useMemo(() => models.data?.models ?? [], [models.data]);
  const available = useMemo(() => healthyModels(all), [all]);

  let modelId: string | null = null;
  let providerId: string | null = null;
  if (picked) {
    modelId = picked.model;
    providerId = picked.provider;
  } else if (fromConversation?.model && fromConversation.provider) {
    modelId = fromConversation.model;
    providerId = fromConversation.provider;
  } else {
    const d = pickDefaultModel(available, profile.data?.preferences.default_model);
    modelId = d?.id ?? null;
    providerId = d?.provider ?? null;
  }
  // A stable object: the chat's callbacks (and so its memoized messages) depend on it.
  const value = useMemo(
    () => (modelId && providerId ? { model: modelId, provider: providerId } : null),
    [modelId, providerId],
  );

  const current = value
    ? all.find((m) => m.id === value.model && m.provider === value.provider)
    : undefined;

  return {
    value,
    label: current?.display_name ?? value?.model ?? null,
    models: all,
    providerErrors: models.data?.errors ?? NO_ERRORS,
    providers: providers.data ?? [],
    loading: models.isLoading || providers.isLoading,
    hasAnyModel: available.length > 0,
    choose: (m: ModelInfo, key = conversationKey) =>
      dispatch(modelChosen({ conversationId: key, model: m.id, provider: m.provider })),
  };
}
