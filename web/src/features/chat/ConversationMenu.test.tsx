import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes, useLocation } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithApp, stubServer } from "@/test/app";
import { ConversationMenu } from "./ConversationMenu";
import { useConversationActions, type ConversationRef } from "./useConversationActions";

let calls: { method: string; path: string; body: unknown }[] = [];

beforeEach(() => {
  calls = [];
  stubServer(async (input: RequestInfo | URL) => {
    const req = input instanceof Request ? input : new Request(String(input));
    const url = new URL(req.url, "http://localhost");
    const text = req.method === "GET" ? "" : await req.text();
    calls.push({ method: req.method, path: url.pathname, body: text ? (JSON.parse(text) as unknown) : null });
    if (req.method === "DELETE") return new Response(null, { status: 204 });
    return new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const chat = (pinned: boolean): ConversationRef => ({ id: "7", title: "Lyon trip", pinned });

function fakeActions() {
  return { star: vi.fn(), rename: vi.fn(), settings: vi.fn(), exportAs: vi.fn(), remove: vi.fn() };
}

/** The trigger is the caller's own element (Radix's `asChild` passes it the menu's props). */
const trigger = <button type="button">Open menu</button>;

describe("ConversationMenu", () => {
  it("lists every action, by keyboard, and hands the chosen one its conversation", async () => {
    const actions = fakeActions();
    const user = userEvent.setup();
    render(
      <ConversationMenu conversation={chat(false)} actions={actions}>
        {trigger}
      </ConversationMenu>,
    );
    const button = screen.getByRole("button", { name: "Open menu" });
    expect(button).toHaveAttribute("aria-haspopup", "menu");
    button.focus();
    await user.keyboard("{Enter}");
    const menu = await screen.findByRole("menu");
    expect(within(menu).getAllByRole("menuitem").map((i) => i.textContent)).toEqual([
      "Star",
      "Rename",
      "Conversation settings",
      "Export as Markdown",
      "Export as JSON",
      "Delete",
    ]);
    await waitFor(() => expect(within(menu).getByRole("menuitem", { name: "Star" })).toHaveFocus());
    await user.keyboard("{ArrowDown}{ArrowDown}{Enter}");
    expect(actions.settings).toHaveBeenCalledWith(chat(false));
    expect(actions.star).not.toHaveBeenCalled();

    await user.click(button);
    await user.click(await screen.findByRole("menuitem", { name: "Export as JSON" }));
    expect(actions.exportAs).toHaveBeenCalledWith(chat(false), "json");
  });

  it("says Unstar for a starred conversation and Star otherwise", async () => {
    const actions = fakeActions();
    const user = userEvent.setup();
    const { rerender } = render(
      <ConversationMenu conversation={chat(true)} actions={actions}>
        {trigger}
      </ConversationMenu>,
    );
    await user.click(screen.getByRole("button", { name: "Open menu" }));
    await user.click(await screen.findByRole("menuitem", { name: "Unstar" }));
    expect(actions.star).toHaveBeenCalledWith(chat(true));
    expect(screen.queryByRole("menu")).toBeNull();

    rerender(
      <ConversationMenu conversation={chat(false)} actions={actions}>
        {trigger}
      </ConversationMenu>,
    );
    await user.click(screen.getByRole("button", { name: "Open menu" }));
    expect(await screen.findByRole("menuitem", { name: "Star" })).toBeInTheDocument();
    expect(screen.queryByRole("menuitem", { name: "Unstar" })).toBeNull();
  });
});

/** The real actions, as the chat header uses them, on the open conversation's page. */
function Harness({ conversation }: { conversation: ConversationRef }) {
  const actions = useConversationActions();
  const location = useLocation();
  return (
    <>
      <p data-testid="where">{location.pathname}</p>
      <ConversationMenu conversation={conversation} actions={actions}>
        {trigger}
      </ConversationMenu>
      {actions.dialogs}
    </>
  );
}

function renderHarness(conversation: ConversationRef) {
  renderWithApp(
    <Routes>
      <Route path="/" element={<Harness conversation={conversation} />} />
      <Route path="/c/:conversationId" element={<Harness conversation={conversation} />} />
    </Routes>,
    { route: "/c/7" },
  );
}

describe("useConversationActions", () => {
  it("deletes only after confirmation, then leaves the deleted chat for a new one", async () => {
    const user = userEvent.setup();
    renderHarness(chat(false));
    await user.click(screen.getByRole("button", { name: "Open menu" }));
    await user.click(await screen.findByRole("menuitem", { name: "Delete" }));
    let dialog = await screen.findByRole("dialog", { name: "Delete conversation?" });
    expect(dialog).toHaveTextContent("“Lyon trip” and all its messages will be deleted.");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(calls).toEqual([]);
    expect(screen.getByTestId("where")).toHaveTextContent("/c/7");

    await user.click(screen.getByRole("button", { name: "Open menu" }));
    await user.click(await screen.findByRole("menuitem", { name: "Delete" }));
    dialog = await screen.findByRole("dialog", { name: "Delete conversation?" });
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(screen.getByTestId("where")).toHaveTextContent(/^\/$/));
    expect(calls).toEqual([{ method: "DELETE", path: "/api/conversations/7", body: null }]);
  });

  it("renames in a dialog that starts with the current title", async () => {
    const user = userEvent.setup();
    renderHarness(chat(false));
    await user.click(screen.getByRole("button", { name: "Open menu" }));
    await user.click(await screen.findByRole("menuitem", { name: "Rename" }));
    const dialog = await screen.findByRole("dialog", { name: "Rename conversation" });
    const box = within(dialog).getByRole("textbox", { name: "Rename" });
    expect(box).toHaveValue("Lyon trip");
    await user.clear(box);
    await user.type(box, "Lyon food trip{Enter}");
    await waitFor(() => expect(calls).toEqual([{ method: "PUT", path: "/api/conversations/7", body: { title: "Lyon food trip" } }]));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });

  it("stars and unstars with a PUT of the new state", async () => {
    const user = userEvent.setup();
    renderHarness(chat(true));
    await user.click(screen.getByRole("button", { name: "Open menu" }));
    await user.click(await screen.findByRole("menuitem", { name: "Unstar" }));
    await waitFor(() => expect(calls).toEqual([{ method: "PUT", path: "/api/conversations/7", body: { pinned: false } }]));
  });
});
