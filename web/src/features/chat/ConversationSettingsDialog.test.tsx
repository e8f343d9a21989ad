import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Provider } from "react-redux";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { makeStore } from "@/store";
import { json, stubServer } from "@/test/app";
import { ConversationSettingsDialog } from "./ConversationSettingsDialog";
import { formFrom, parseDecimal, parseWhole, validateSettings } from "./conversationSettings";

describe("validateSettings", () => {
  const form = (over: Partial<Parameters<typeof validateSettings>[0]> = {}): Parameters<typeof validateSettings>[0] => ({
    systemPrompt: "",
    temperature: "",
    maxTokens: "",
    effort: "medium",
    ...over,
  });

  it("reads empty fields as the provider's defaults and a blank prompt as none", () => {
    expect(validateSettings(form({ systemPrompt: "   \n" }))).toEqual({
      ok: true,
      payload: { system_prompt: null, params: {} },
    });
  });

  it("accepts the edges of each range, a French decimal comma and thousands separators", () => {
    expect(validateSettings(form({ temperature: "0", maxTokens: "1" }))).toMatchObject({
      ok: true,
      payload: { params: { temperature: 0, max_tokens: 1 } },
    });
    expect(validateSettings(form({ temperature: "2", maxTokens: "1,000,000" }))).toMatchObject({
      ok: true,
      payload: { params: { temperature: 2, max_tokens: 1_000_000 } },
    });
    expect(validateSettings(form({ temperature: " 0,7 ", maxTokens: "4 096" }))).toMatchObject({
      ok: true,
      payload: { params: { temperature: 0.7, max_tokens: 4096 } },
    });
  });

  it("refuses what the server would refuse, field by field", () => {
    expect(validateSettings(form({ temperature: "2.01", maxTokens: "0" }))).toEqual({
      ok: false,
      errors: { temperature: "temperatureRange", maxTokens: "maxTokensRange" },
    });
    expect(validateSettings(form({ temperature: "-1" }))).toEqual({ ok: false, errors: { temperature: "temperatureRange" } });
    expect(validateSettings(form({ temperature: "warm" }))).toEqual({ ok: false, errors: { temperature: "temperatureRange" } });
    expect(validateSettings(form({ maxTokens: "1000001" }))).toEqual({ ok: false, errors: { maxTokens: "maxTokensRange" } });
    expect(validateSettings(form({ maxTokens: "12.5" }))).toEqual({ ok: false, errors: { maxTokens: "maxTokensRange" } });
    // Counted in characters as the server counts them: an emoji is one.
    expect(validateSettings(form({ systemPrompt: "😀".repeat(100_000) })).ok).toBe(true);
    expect(validateSettings(form({ systemPrompt: "x".repeat(100_001) }))).toEqual({
      ok: false,
      errors: { systemPrompt: "systemPromptTooLong" },
    });
  });

  it("keeps the saved knobs it does not show (params replace the whole object)", () => {
    const saved = { temperature: 1, top_p: 0.9, max_tokens: 10, stop: ["END"] };
    expect(validateSettings(form({ temperature: "0.2" }), saved)).toEqual({
      ok: true,
      payload: { system_prompt: null, params: { top_p: 0.9, stop: ["END"], temperature: 0.2 } },
    });
  });

  it("parses numbers strictly and fills the form from what is saved", () => {
    expect(parseDecimal("1e1")).toBeNaN();
    expect(parseDecimal(".5")).toBe(0.5);
    expect(parseWhole("1.024")).toBe(1024);
    expect(parseWhole("-3")).toBeNaN();
    expect(parseWhole("1,0000")).toBeNaN();
    expect(parseWhole("1 000,000")).toBeNaN();
    expect(formFrom("Be brief.", { temperature: 0.5 })).toEqual({
      systemPrompt: "Be brief.",
      temperature: "0.5",
      maxTokens: "",
      effort: "medium",
    });
    expect(formFrom(null, undefined, "low")).toEqual({ systemPrompt: "", temperature: "", maxTokens: "", effort: "low" });
    expect(formFrom(null, { reasoning: "high" }, "low").effort).toBe("high");
    expect(formFrom(null, { reasoning: "off" }, "low").effort).toBe("low");
  });
});

let puts: unknown[] = [];
let refuse = false;

beforeEach(() => {
  puts = [];
  refuse = false;
  stubServer(async (input: RequestInfo | URL) => {
    const req = input instanceof Request ? input : new Request(String(input));
    const url = new URL(req.url, "http://localhost");
    if (url.pathname === "/api/conversations/7" && req.method === "GET") {
      return json({
        id: 7,
        title: "Lyon trip",
        provider: "claude",
        model: "claude-sonnet-4-6",
        system_prompt: "I live in Lyon.",
        params: { temperature: 0.7, top_p: 0.9 },
        pinned: false,
        messages: [],
      });
    }
    if (url.pathname === "/api/conversations/7" && req.method === "PUT") {
      puts.push(await req.json());
      if (refuse) return json({ error: { code: "validation_error", message: "temperature: too warm" } }, 422);
      return json({ id: 7 });
    }
    return new Response("{}", { status: 404 });
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function renderDialog() {
  const onOpenChange = vi.fn();
  render(
    <Provider store={makeStore()}>
      <ConversationSettingsDialog conversationId="7" onOpenChange={onOpenChange} />
    </Provider>,
  );
  return onOpenChange;
}

describe("ConversationSettingsDialog", () => {
  it("starts from the saved settings, explains custom instructions, and saves the edited ones", async () => {
    const user = userEvent.setup();
    const onOpenChange = renderDialog();
    const dialog = await screen.findByRole("dialog", { name: "Conversation settings" });
    const prompt = await within(dialog).findByRole("textbox", { name: "System prompt" });
    expect(prompt).toHaveValue("I live in Lyon.");
    expect(prompt).toHaveAccessibleDescription(/custom instructions \(Settings → Preferences\)/);
    expect(within(dialog).getByText("15 / 100,000 characters")).toBeInTheDocument();
    const temperature = within(dialog).getByRole("textbox", { name: "Temperature" });
    const maxTokens = within(dialog).getByRole("textbox", { name: "Max output tokens" });
    expect(temperature).toHaveValue("0.7");
    expect(maxTokens).toHaveValue("");
    expect(maxTokens).toHaveAttribute("placeholder", "Provider default");

    await user.type(prompt, " Answer in French.");
    expect(within(dialog).getByText("33 / 100,000 characters")).toBeInTheDocument();
    await user.clear(temperature);
    await user.type(temperature, "3");
    await user.type(maxTokens, "0");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    // Inline errors, tied to their fields, and nothing sent.
    expect(within(dialog).getByText("Enter a number from 0 to 2, or leave it empty.")).toBeInTheDocument();
    expect(temperature).toHaveAttribute("aria-invalid", "true");
    expect(temperature).toHaveAccessibleDescription(/Enter a number from 0 to 2/);
    expect(maxTokens).toHaveAccessibleDescription(/Enter a whole number from 1 to 1,000,000/);
    expect(puts).toEqual([]);

    await user.clear(temperature);
    await user.type(temperature, "0.3");
    await user.clear(maxTokens);
    await user.type(maxTokens, "1024");
    expect(within(dialog).queryByRole("alert")).toBeNull();
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onOpenChange).toHaveBeenCalledWith(false));
    expect(puts).toEqual([
      { system_prompt: "I live in Lyon. Answer in French.", params: { top_p: 0.9, temperature: 0.3, max_tokens: 1024 } },
    ]);
  });

  it("holds back a system prompt over 100,000 characters and says by how much", async () => {
    renderDialog();
    const prompt = await screen.findByRole("textbox", { name: "System prompt" });
    fireEvent.change(prompt, { target: { value: "x".repeat(100_004) } });
    expect(screen.getByText("At most 100,000 characters: remove 4 to save.")).toBeInTheDocument();
    expect(prompt).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("button", { name: "Save" })).toBeDisabled();
  });

  it("shows the server's refusal inline and stays open", async () => {
    refuse = true;
    const user = userEvent.setup();
    const onOpenChange = renderDialog();
    await screen.findByRole("textbox", { name: "System prompt" });
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("temperature: too warm");
    expect(onOpenChange).not.toHaveBeenCalled();
    expect(puts).toHaveLength(1);
  });
});
