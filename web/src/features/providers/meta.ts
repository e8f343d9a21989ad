/**
 * How a provider's badge is drawn: a colour and initials. Everything else about a provider
 * (its name, whether it takes a key, ...) comes from the server (`GET /api/providers`), which
 * derives it from the provider's spec; only the badges of the built-ins are drawn here, and any
 * other provider gets a colour of its own from its id and initials from its name.
 */
export interface ProviderBadge {
  color: string;
  initials: string;
}

const BADGES: Record<string, ProviderBadge> = {
  claude: { color: "#d97757", initials: "C" },
  anthropic: { color: "#d97757", initials: "C" },
  openai: { color: "#10a37f", initials: "O" },
  mistral: { color: "#fa520f", initials: "M" },
  gemini: { color: "#4285f4", initials: "G" },
  ollama: { color: "#6b6b6b", initials: "Ol" },
  openrouter: { color: "#6467f2", initials: "OR" },
};

export function providerBadge(id: string, displayName?: string | null): ProviderBadge {
  const known = BADGES[id];
  if (known) return known;
  const label = displayName || id;
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) % 360;
  return { color: `hsl(${hash} 45% 45%)`, initials: label.slice(0, 2).toUpperCase() };
}
