import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { model, provider } from "@/test/fixtures";
import { ModelList } from "./ModelSelector";

const providers = [
  provider("claude", { display_name: "Anthropic Claude" }),
  provider("mistral", { display_name: "Mistral AI" }),
  provider("openai", { display_name: "OpenAI", configured: false, status: "unconfigured", key_source: "none" }),
];
const models = [
  model("claude-haiku-4-5", "claude", { display_name: "Claude Haiku 4.5" }),
  model("claude-sonnet-4-6", "claude", { display_name: "Claude Sonnet 4.6", is_default: true }),
  model("mistral-large-latest", "mistral", { display_name: "Mistral Large", is_default: true }),
  model("open-mistral-7b", "mistral", {
    display_name: "Mistral 7B",
    capabilities: { vision: false, tools: true, streaming: true, reasoning: false },
  }),
  model("gpt-5", "openai", { display_name: "GPT-5", available: false }),
];

function setup(value: { model: string; provider: string } | null = null) {
  const onChange = vi.fn();
  const onConfigure = vi.fn();
  render(
    <ModelList models={models} providers={providers} value={value} onChange={onChange} onConfigure={onConfigure} />,
  );
  return { onChange, onConfigure, user: userEvent.setup() };
}

const section = (name: string) => screen.getByRole("region", { name });

describe("ModelList", () => {
  it("groups models by provider, default first, with badge and capability chips", () => {
    setup();
    const claude = within(section("Anthropic Claude")).getAllByRole("option");
    expect(claude.map((o) => o.textContent)).toEqual([
      expect.stringContaining("Claude Sonnet 4.6"),
      expect.stringContaining("Claude Haiku 4.5"),
    ]);
    expect(within(claude[0] as HTMLElement).getByText("Default")).toBeInTheDocument();
    expect(within(claude[0] as HTMLElement).getByText("Vision")).toBeInTheDocument();
    const mistral7b = within(section("Mistral AI")).getByRole("option", { name: /Mistral 7B/ });
    expect(within(mistral7b).queryByText("Vision")).toBeNull();
    expect(within(mistral7b).getByText("Tools")).toBeInTheDocument();
  });

  it("offers 'Configure API key' for a provider without a key, and never its models", async () => {
    const { onConfigure, user } = setup();
    const openai = section("OpenAI");
    expect(within(openai).getByText("Not configured")).toBeInTheDocument();
    expect(within(openai).queryByRole("option")).toBeNull();
    await user.click(within(openai).getByRole("button", { name: "Configure API key" }));
    expect(onConfigure).toHaveBeenCalledWith("openai");
  });

  it("filters by search text across providers", async () => {
    const { user } = setup();
    await user.type(screen.getByRole("combobox", { name: "Search models" }), "large");
    expect(screen.getAllByRole("option").map((o) => o.textContent)).toEqual([
      expect.stringContaining("Mistral Large"),
    ]);
    expect(screen.queryByRole("region", { name: "OpenAI" })).toBeNull();
    await user.clear(screen.getByRole("combobox", { name: "Search models" }));
    await user.type(screen.getByRole("combobox", { name: "Search models" }), "nothing-like-this");
    expect(screen.getByText("No models match your search.")).toBeInTheDocument();
  });

  it("filters by provider with the chips", async () => {
    const { user } = setup();
    await user.click(screen.getByRole("button", { name: "Mistral AI" }));
    expect(screen.getByRole("button", { name: "Mistral AI" })).toHaveAttribute("aria-pressed", "true");
    expect(screen.queryByRole("region", { name: "Anthropic Claude" })).toBeNull();
    expect(within(section("Mistral AI")).getAllByRole("option")).toHaveLength(2);
    await user.click(screen.getByRole("button", { name: "All" }));
    expect(screen.getAllByRole("option")).toHaveLength(4);
  });

  it("collapses and expands a provider section", async () => {
    const { user } = setup();
    await user.click(screen.getByRole("button", { name: "Collapse Anthropic Claude" }));
    expect(within(section("Anthropic Claude")).queryByRole("option")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Expand Anthropic Claude" }));
    expect(within(section("Anthropic Claude")).getAllByRole("option")).toHaveLength(2);
  });

  it("marks the current model and reports a new choice with its provider", async () => {
    const { onChange, user } = setup({ model: "claude-haiku-4-5", provider: "claude" });
    expect(screen.getByRole("option", { name: /Claude Haiku/ })).toHaveAttribute("aria-selected", "true");
    await user.click(screen.getByRole("option", { name: /Mistral Large/ }));
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ id: "mistral-large-latest", provider: "mistral" }));
  });

  it("warns when a provider's live list failed but still shows its usual models", () => {
    render(
      <ModelList
        models={[model("llama3.2", "ollama", { provider_status: "error", provider_error: "Cannot reach Ollama" })]}
        providers={[provider("ollama", { display_name: "Ollama", requires_key: false })]}
        value={null}
        onChange={() => {}}
        onConfigure={() => {}}
      />,
    );
    expect(within(section("Ollama")).getByText("Cannot reach Ollama")).toBeInTheDocument();
    expect(within(section("Ollama")).getByRole("option", { name: /llama3.2/ })).toBeInTheDocument();
  });
});

describe("ModelList with a provider whose list failed", () => {
  it("shows the section with the reason even when there is no model to offer", () => {
    render(
      <ModelList
        models={[]}
        providers={[provider("lab", { display_name: "Lab vLLM", requires_key: false })]}
        providerErrors={{ lab: "Error code: 401 - Incorrect API key provided" }}
        value={null}
        onChange={() => {}}
        onConfigure={() => {}}
      />,
    );
    expect(within(section("Lab vLLM")).getByText(/Incorrect API key/)).toBeInTheDocument();
    expect(screen.queryByRole("option")).toBeNull();
  });
});

describe("ModelList keyboard", () => {
  it("moves with Up/Down from the search box, chooses with Enter, closes with Escape", async () => {
    const onChange = vi.fn();
    const onClose = vi.fn();
    render(
      <ModelList
        models={models}
        providers={providers}
        value={null}
        onChange={onChange}
        onConfigure={() => {}}
        onClose={onClose}
      />,
    );
    const user = userEvent.setup();
    const search = screen.getByRole("combobox", { name: "Search models" });
    expect(search).toHaveFocus();
    const activeName = () => document.getElementById(search.getAttribute("aria-activedescendant") ?? "")?.textContent;
    expect(activeName()).toContain("Claude Sonnet 4.6");
    await user.keyboard("{ArrowDown}");
    expect(activeName()).toContain("Claude Haiku 4.5");
    await user.keyboard("{ArrowDown}{ArrowDown}");
    expect(activeName()).toContain("Mistral 7B");
    await user.keyboard("{ArrowDown}");
    expect(activeName()).toContain("Claude Sonnet 4.6");
    await user.keyboard("{ArrowUp}");
    expect(activeName()).toContain("Mistral 7B");
    await user.keyboard("{Enter}");
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ id: "open-mistral-7b", provider: "mistral" }));
    await user.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("highlights the first match after typing, so Enter picks it", async () => {
    const { onChange, user } = setup({ model: "claude-haiku-4-5", provider: "claude" });
    await user.type(screen.getByRole("combobox", { name: "Search models" }), "large{Enter}");
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ id: "mistral-large-latest" }));
  });
});
