import type { ModelInfo, ReasoningEffort, ReasoningSetting } from "@/api/types";
import { useAppDispatch, useAppSelector } from "@/store";
import { thinkingChosen } from "@/store/uiSlice";

export interface ThinkingChoice {
  /** The chosen model can think when asked: the composer shows the Think toggle. */
  capable: boolean;
  on: boolean;
  effort: ReasoningEffort;
  /**
   * What a chat request carries as `reasoning`: the effort or "off" for a model that can
   * think; undefined for one that cannot, so the conversation's saved choice is left as it
   * is and comes back with a thinking model.
   */
  request: ReasoningSetting | undefined;
  setOn: (on: boolean) => void;
}

/** An effort when the setting is one ("off" and absent are not). */
export function effortOf(setting: ReasoningSetting | undefined): ReasoningEffort | null {
  return setting === "low" || setting === "medium" || setting === "high" ? setting : null;
}

/**
 * Think for one conversation: what the user just switched (not sent yet), else what the
 * conversation saved (`params.reasoning`; absent is off), and for a new chat the user's last
 * choice. The effort is the conversation's, else the last one chosen in settings (medium).
 */
export function useThinking(
  conversationKey: string,
  isNew: boolean,
  saved: ReasoningSetting | undefined,
  model: ModelInfo | undefined,
): ThinkingChoice {
  const dispatch = useAppDispatch();
  const picked = useAppSelector((s) => s.ui.thinkingByConversation[conversationKey]);
  const last = useAppSelector((s) => s.ui.thinkingLast);
  const fallbackEffort = useAppSelector((s) => s.ui.thinkingEffort);
  const capable = model?.capabilities.reasoning === true;
  // A new chat follows the last choice (switching it there is that choice).
  const on = isNew ? last : (picked ?? effortOf(saved) !== null);
  const effort = effortOf(saved) ?? fallbackEffort;
  return {
    capable,
    on,
    effort,
    request: capable ? (on ? effort : "off") : undefined,
    setOn: (value: boolean) => dispatch(thinkingChosen({ conversationId: conversationKey, on: value })),
  };
}
