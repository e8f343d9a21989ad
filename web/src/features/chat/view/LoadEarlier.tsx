import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";

/** Above the first loaded message when older ones exist: load them, or say it failed. */
export function LoadEarlier({ loading, failed, onLoad }: { loading: boolean; failed: boolean; onLoad: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="flex flex-col items-center gap-1">
      <Button variant="ghost" size="sm" disabled={loading} onClick={onLoad}>
        {loading ? t("chat.loadingEarlier") : t("chat.loadEarlier")}
      </Button>
      {failed && <p className="text-xs text-danger">{t("chat.loadEarlierFailed")}</p>}
    </div>
  );
}
