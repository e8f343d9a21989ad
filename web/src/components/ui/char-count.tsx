import { useTranslation } from "react-i18next";
import { cn } from "@/lib/utils";

export interface CharCountProps {
  id: string;
  count: number;
  max: number;
  testId?: string;
  /** The text while within the limit, from the formatted numbers. */
  within: (n: string, max: string) => string;
  /** The text once over it: the limit and how far over, formatted. */
  over: (max: string, over: string) => string;
}

/** "105 / 10,000 characters" under a long text field, red (and announced) once over the limit. */
export function CharCount({ id, count, max, testId, within, over }: CharCountProps) {
  const { i18n } = useTranslation();
  const fmt = (n: number) => n.toLocaleString(i18n.language);
  const excess = count - max;
  return (
    <p
      id={id}
      className={cn("text-xs tabular-nums", excess > 0 ? "text-danger" : "text-muted-foreground")}
      aria-live="polite"
      data-testid={testId}
    >
      {excess > 0 ? over(fmt(max), fmt(excess)) : within(fmt(count), fmt(max))}
    </p>
  );
}
