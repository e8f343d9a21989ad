import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { ProviderInfo, TestResult } from "@/api/types";
import { provider } from "@/test/fixtures";
import { ProviderCard } from "./ProviderCard";

function setup(p: ProviderInfo, extra: { testing?: boolean; lastTest?: TestResult | null } = {}) {
  const handlers = {
    onSaveKey: vi.fn(async () => true),
    onRemoveKey: vi.fn(),
    onTest: vi.fn(),
    onToggle: vi.fn(),
  };
  render(<ProviderCard provider={p} testing={extra.testing ?? false} lastTest={extra.lastTest ?? null} {...handlers} />);
  return { ...handlers, user: userEvent.setup() };
}

const light = () => screen.getByTestId("status-light");

describe("ProviderCard", () => {
  it("is yellow and cannot be tested without a key", () => {
    setup(provider("mistral", { configured: false, status: "unconfigured", key_source: "none", key_hint: null }));
    expect(light()).toHaveAttribute("data-light", "yellow");
    expect(light()).toHaveTextContent("Not configured");
    expect(screen.getByRole("button", { name: "Test connection" })).toBeDisabled();
    expect(screen.getByText("No key")).toBeInTheDocument();
  });

  it("is yellow 'Not tested yet' with a key that was never tested", () => {
    setup(provider("claude", { last_test: null }));
    expect(light()).toHaveAttribute("data-light", "yellow");
    expect(light()).toHaveTextContent("Not tested yet");
  });

  it("is green when connected, and shows only the key's hint", () => {
    setup(provider("claude", { key_hint: "…wxyz" }));
    expect(light()).toHaveAttribute("data-light", "green");
    expect(light()).toHaveTextContent("Connected");
    expect(screen.getByLabelText("API key")).toHaveValue("");
    expect(screen.getByLabelText("API key")).toHaveAttribute("type", "password");
    expect(screen.getByText("Your key …wxyz")).toBeInTheDocument();
  });

  it("is red with the provider's own message on error", () => {
    setup(provider("claude", { status: "error", status_message: "invalid x-api-key" }));
    expect(light()).toHaveAttribute("data-light", "red");
    expect(screen.getByRole("alert")).toHaveTextContent("invalid x-api-key");
  });

  it("is grey and switched off when disabled", () => {
    setup(provider("gemini", { enabled: false, status: "disabled" }));
    expect(light()).toHaveAttribute("data-light", "gray");
    expect(screen.getByRole("switch", { name: "Enable Gemini" })).toHaveAttribute("aria-checked", "false");
  });

  it("shows progress while testing and the result after", () => {
    const { unmount } = render(
      <ProviderCard
        provider={provider("claude")}
        testing
        lastTest={null}
        onSaveKey={async () => true}
        onRemoveKey={() => {}}
        onTest={() => {}}
        onToggle={() => {}}
      />,
    );
    expect(screen.getByRole("button", { name: "Testing…" })).toBeDisabled();
    unmount();
    setup(provider("claude"), { lastTest: { success: true, provider: "claude", latency_ms: 41.7, error: null } });
    expect(screen.getByRole("status")).toHaveTextContent("Claude connected in 42 ms");
  });

  it("saves a trimmed key, masks it, and can reveal it", async () => {
    const { onSaveKey, user } = setup(provider("claude", { configured: false, status: "unconfigured" }));
    const input = screen.getByLabelText("API key");
    await user.type(input, "  sk-ant-secret  ");
    await user.click(screen.getByRole("button", { name: "Show key" }));
    expect(input).toHaveAttribute("type", "text");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(onSaveKey).toHaveBeenCalledWith("sk-ant-secret");
    expect(input).toHaveValue("");
  });

  it("toggles the provider and removes a personal key", async () => {
    const { onToggle, onRemoveKey, user } = setup(provider("claude"));
    await user.click(screen.getByRole("switch", { name: "Enable Claude" }));
    expect(onToggle).toHaveBeenCalledWith(false);
    await user.click(screen.getByRole("button", { name: "Remove key" }));
    expect(onRemoveKey).toHaveBeenCalled();
  });

  it("needs no key for a local provider", () => {
    setup(provider("ollama", { requires_key: false, key_source: "none" }));
    expect(screen.queryByLabelText("API key")).toBeNull();
    expect(screen.getByText("No key needed: runs on your own server.")).toBeInTheDocument();
  });

  it("shows this month's usage", () => {
    setup(provider("claude", { usage: { requests: 12, input_tokens: 1500, output_tokens: 700, cost: 0.0345 } }));
    expect(screen.getByText(/12 requests · 2\.2K tokens · \$0\.03/)).toBeInTheDocument();
  });
});
