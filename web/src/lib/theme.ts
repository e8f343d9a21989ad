import type { Theme } from "@/api/types";

const THEME_KEY = "polychat.theme";
let media: MediaQueryList | null = null;

function paint(theme: Theme): void {
  const dark =
    theme === "dark" || (theme === "system" && window.matchMedia?.("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", Boolean(dark));
}

/** Apply a theme now and keep following the OS while the choice is "system". */
export function applyTheme(theme: Theme): void {
  try {
    localStorage.setItem(THEME_KEY, theme);
  } catch {
    /* ignore */
  }
  paint(theme);
  if (!media && window.matchMedia) {
    media = window.matchMedia("(prefers-color-scheme: dark)");
    media.addEventListener("change", () => paint(currentTheme()));
  }
}

export function currentTheme(): Theme {
  try {
    const t = localStorage.getItem(THEME_KEY);
    if (t === "light" || t === "dark" || t === "system") return t;
  } catch {
    /* ignore */
  }
  return "system";
}
