import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ADA, json, renderWithApp, stubServer } from "@/test/app";
import { ProvidersSettings } from "./ProvidersSettings";

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A provider this UI has never heard of, exactly as `GET /api/providers` describes it. */
const ACME = {
  id: "acme",
  display_name: "Acme AI",
  custom: false,
  requires_key: true,
  configured: false,
  enabled: true,
  instance_enabled: true,
  user_enabled: true,
  allow_user_keys: true,
  status: "unconfigured",
  status_message: "no API key",
  key_source: "none",
  key_hint: null,
  has_user_key: false,
  base_url: null,
  docs_url: "https://acme.invalid/keys",
  capabilities: { streaming: true, vision: false, tools: false, reasoning: false, max_context: null },
  last_test: null,
  usage: { requests: 0, input_tokens: 0, output_tokens: 0, cost: null },
};

describe("ProvidersSettings", () => {
  it("lists a provider it has never heard of, named and drawn from the API's data", async () => {
    stubServer((input) => {
      const url = new URL(input instanceof Request ? input.url : String(input), "http://localhost");
      if (url.pathname === "/api/providers") return json([ACME]);
      if (url.pathname === "/api/users/profile") return json(ADA);
      return json({ detail: "not found" }, 404);
    });
    renderWithApp(<ProvidersSettings />);
    expect(await screen.findByRole("heading", { name: "Acme AI" })).toBeInTheDocument();
    // The page shows this one provider: a badge of its own (initials of its name), its switch
    // and a key field, since the API says it takes a key.
    expect(screen.getByText("AC")).toBeInTheDocument();
    expect(screen.getByRole("switch", { name: "Enable Acme AI" })).toHaveAttribute("aria-checked", "true");
    expect(screen.getByLabelText("API key")).toHaveAttribute("type", "password");
  });
});
