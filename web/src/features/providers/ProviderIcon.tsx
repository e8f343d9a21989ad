import { cn } from "@/lib/utils";
import { providerBadge } from "./meta";

export function ProviderIcon({
  provider,
  displayName,
  size = "sm",
  className,
}: {
  provider: string;
  displayName?: string | null;
  size?: "xs" | "sm" | "md";
  className?: string;
}) {
  const meta = providerBadge(provider, displayName);
  return (
    <span
      aria-hidden="true"
      className={cn(
        "inline-flex shrink-0 items-center justify-center rounded-md font-semibold text-white",
        size === "xs" && "size-4 text-[8px]",
        size === "sm" && "size-5 text-[10px]",
        size === "md" && "size-9 text-sm rounded-lg",
        className,
      )}
      style={{ backgroundColor: meta.color }}
    >
      {meta.initials}
    </span>
  );
}
