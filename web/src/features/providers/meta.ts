/** How each provider is drawn: a name and a brand-ish colour for its badge. */
export interface ProviderMeta {
  label: string;
  color: string;
  initials: string;
}

const KNOWN: Record<string, ProviderMeta> = {
  claude: { label: "Anthropic Claude", color: "#d97757", initials: "C" },
  anthropic: { label: "Anthropic Claude", color: "#d97757", initials: "C" },
  openai: { label: "OpenAI", color: "#10a37f", initials: "O" },
  mistral: { label: "Mistral AI", color: "#fa520f", initials: "M" },
  gemini: { label: "Google Gemini", color: "#4285f4", initials: "G" },
  ollama: { label: "Ollama", color: "#6b6b6b", initials: "Ol" },
  openrouter: { label: "OpenRouter", color: "#6467f2", initials: "OR" },
};

export function providerMeta(id: string, displayName?: string | null): ProviderMeta {
  const known = KNOWN[id];
  if (known) return displayName ? { ...known, label: displayName } : known;
  const label = displayName || id;
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) % 360;
  return { label, color: `hsl(${hash} 45% 45%)`, initials: label.slice(0, 2).toUpperCase() };
}
