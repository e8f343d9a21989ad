/** The browser tab (and history entry) names the conversation: "<title> — Polychat". */
export function documentTitle(title: string | null | undefined): string {
  const t = title?.trim();
  return t ? `${t} — Polychat` : "Polychat";
}
