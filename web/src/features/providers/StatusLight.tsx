import { useTranslation } from "react-i18next";
import type { ProviderInfo } from "@/api/types";
import { cn } from "@/lib/utils";
import { lightFor } from "./lights";

export function StatusLight({ provider }: { provider: ProviderInfo }) {
  const { t } = useTranslation();
  const light = lightFor(provider);
  const status =
    light === "gray"
      ? "disabled"
      : light === "yellow"
        ? provider.configured
          ? "untested"
          : "unconfigured"
        : provider.status;
  return (
    <span className="inline-flex items-center gap-1.5 text-xs font-medium" data-testid="status-light" data-light={light}>
      <span
        aria-hidden="true"
        className={cn(
          "size-2.5 rounded-full",
          light === "green" && "bg-success shadow-[0_0_0_3px] shadow-success/20",
          light === "yellow" && "bg-warning shadow-[0_0_0_3px] shadow-warning/20",
          light === "red" && "bg-danger shadow-[0_0_0_3px] shadow-danger/20",
          light === "gray" && "bg-muted-foreground/50",
        )}
      />
      <span
        className={cn(
          light === "green" && "text-success",
          light === "yellow" && "text-warning",
          light === "red" && "text-danger",
          light === "gray" && "text-muted-foreground",
        )}
      >
        {t(`providers.status.${status}`)}
      </span>
    </span>
  );
}
