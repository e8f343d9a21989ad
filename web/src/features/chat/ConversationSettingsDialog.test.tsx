import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import i18n from "i18next";
import { Provider } from "react-redux";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { IgnoredParam } from "@/api/types";
import { makeStore } from "@/store";
import { modelChosen, thinkingChosen } from "@/store/uiSlice";
import { json, stubServer } from "@/test/app";
import { model } from "@/test/fixtures";
import { ConversationSettingsDialog } from "./ConversationSettingsDialog";
import { formFrom, ignoredNow, parseDecimal, parseWhole, validateSettings } from "./conversationSettings";

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
/** What `GET /api/models` lists (nothing by default: no model ignores anything). */
let models: unknown[] = [];
/** Overrides of the conversation `GET /api/conversations/7` returns. */
let convOver: Record<string, unknown> = {};

beforeEach(() => {
  puts = [];
  refuse = false;
  models = [];
  convOver = {};
  stubServer(async (input: RequestInfo | URL) => {
    const req = input instanceof Request ? input : new Request(String(input));
    const url = new URL(req.url, "http://localhost");
    if (url.pathname === "/api/models") return json({ models, providers: [] });
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
        ...convOver,
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

afterEach(async () => {
  vi.unstubAllGlobals();
  localStorage.clear(); // a model or Think picked in one test is not the next one's
  await i18n.changeLanguage("en");
});

function renderDialog(store = makeStore()) {
  const onOpenChange = vi.fn();
  render(
    <Provider store={store}>
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

const OPENAI_ONLY_DEFAULT: IgnoredParam[] = [
  { param: "temperature", code: "reasoning_model", when: "always", reason: "OpenAI's reasoning models …" },
  { param: "top_p", code: "reasoning_model", when: "always", reason: "OpenAI's reasoning models …" },
];
const CLAUDE_WHILE_THINKING: IgnoredParam[] = [
  { param: "temperature", code: "thinking", when: "thinking", reason: "Claude does not take this while it thinks." },
  { param: "top_p", code: "one_sampler", when: "temperature_set", reason: "Temperature or Top P." },
];
const o3 = model("o3-mini", "openai", { display_name: "o3-mini", ignored_params: OPENAI_ONLY_DEFAULT });
const sonnet = (reasoning: boolean) =>
  model("claude-sonnet-4-6", "claude", {
    display_name: "Claude Sonnet 4.6",
    capabilities: { vision: true, tools: true, streaming: true, reasoning },
    ignored_params: CLAUDE_WHILE_THINKING,
  });
const REASONING_NOTE =
  "Not used with o3-mini: OpenAI's reasoning models only use their default sampling, so it is not sent.";

describe("fields the chat's model ignores", () => {
  it("are disabled with the reason, keep their value, and are saved as they are", async () => {
    models = [o3, sonnet(true)];
    convOver = { provider: "openai", model: "o3-mini" };
    const user = userEvent.setup();
    const onOpenChange = renderDialog();
    const dialog = await screen.findByRole("dialog", { name: "Conversation settings" });
    const temperature = await within(dialog).findByRole("textbox", { name: "Temperature" });
    await waitFor(() => expect(temperature).toBeDisabled());
    expect(temperature).toHaveValue("0.7");
    expect(temperature).toHaveAccessibleDescription(expect.stringMatching(/^Not used with o3-mini: /));
    expect(temperature).toHaveAccessibleDescription(expect.stringContaining(REASONING_NOTE));
    expect(within(dialog).getByTestId("conversation-temperature-ignored")).toHaveTextContent(REASONING_NOTE);
    const maxTokens = within(dialog).getByRole("textbox", { name: "Max output tokens" });
    expect(maxTokens).toBeEnabled();
    expect(maxTokens).not.toHaveAccessibleDescription(/Not used/);

    await user.type(maxTokens, "500");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onOpenChange).toHaveBeenCalledWith(false));
    // The ignored temperature stays saved: the next model that takes it gets it again.
    expect(puts).toEqual([
      { system_prompt: "I live in Lyon.", params: { top_p: 0.9, temperature: 0.7, max_tokens: 500 } },
    ]);
  });

  it("follow the model picked in the composer, and Think for rules that hold only while thinking", async () => {
    models = [o3, sonnet(true)];
    convOver = { params: { temperature: 0.7, reasoning: "high" } };
    const store = makeStore();
    renderDialog(store);
    const temperature = await screen.findByRole("textbox", { name: "Temperature" });
    // Claude Sonnet 4.6 thinks in this chat: its temperature is not sent then.
    await waitFor(() => expect(temperature).toBeDisabled());
    expect(temperature).toHaveAccessibleDescription(
      /^Not used while Claude Sonnet 4\.6 thinks: it is sent when Think is off\./,
    );
    act(() => void store.dispatch(thinkingChosen({ conversationId: "7", on: false })));
    expect(temperature).toBeEnabled();
    expect(screen.queryByTestId("conversation-temperature-ignored")).toBeNull();
    act(() => void store.dispatch(modelChosen({ conversationId: "7", model: "o3-mini", provider: "openai" })));
    expect(temperature).toBeDisabled();
    expect(screen.getByTestId("conversation-temperature-ignored")).toHaveTextContent(REASONING_NOTE);
  });

  it("speak the user's language", async () => {
    await i18n.changeLanguage("fr");
    models = [o3];
    convOver = { provider: "openai", model: "o3-mini" };
    renderDialog();
    expect(await screen.findByTestId("conversation-temperature-ignored")).toHaveTextContent(
      "Non utilisé avec o3-mini : les modèles de raisonnement d’OpenAI n’utilisent que leur échantillonnage par défaut, ce réglage n’est donc pas envoyé.",
    );
  });

  it("show the server's words for a reason this UI does not know yet", async () => {
    const rule: IgnoredParam = { param: "max_tokens", code: "brand_new", when: "always", reason: "Acme picks the length." };
    models = [model("acme-1", "acme", { ignored_params: [rule] })];
    convOver = { provider: "acme", model: "acme-1" };
    renderDialog();
    const maxTokens = await screen.findByRole("textbox", { name: "Max output tokens" });
    await waitFor(() => expect(maxTokens).toBeDisabled());
    expect(maxTokens).toHaveAccessibleDescription(expect.stringContaining("Acme picks the length."));
    expect(screen.getByRole("textbox", { name: "Temperature" })).toBeEnabled();
  });
});

describe("ignoredNow", () => {
  const claude = sonnet(true);
  it("applies each rule only when it holds", () => {
    const none = { thinking: false, temperatureSet: false };
    expect(ignoredNow(claude, "temperature", none)).toBeNull();
    expect(ignoredNow(claude, "temperature", { ...none, thinking: true })?.code).toBe("thinking");
    expect(ignoredNow(claude, "top_p", none)).toBeNull();
    expect(ignoredNow(claude, "top_p", { ...none, temperatureSet: true })?.code).toBe("one_sampler");
    expect(ignoredNow(o3, "temperature", none)?.code).toBe("reasoning_model");
    expect(ignoredNow(o3, "max_tokens", { thinking: true, temperatureSet: true })).toBeNull();
    expect(ignoredNow(undefined, "temperature", { thinking: true, temperatureSet: true })).toBeNull();
  });
});
