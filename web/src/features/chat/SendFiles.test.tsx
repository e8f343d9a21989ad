import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FilePart, ImagePart } from "@/api/types";
import { ADA, chatConversation, chatMessage, renderWithApp, seededChatStore } from "@/test/app";
import { MAX_FILE_CHARS, fileKind, readTextFile, type ImageResizer } from "./attachments";
import { ChatView } from "./ChatView";
import { Composer } from "./Composer";

const CODE = 'def greet(name):\n    return f"<b>Hello</b>, {name}!"\n';

function pyFile(name = "greet.py", text = CODE): File {
  return new File([text], name, { type: "" });
}

const resizer: ImageResizer = {
  measure: () => Promise.resolve({ width: 32, height: 32 }),
  encode: () => Promise.reject(new Error("a small image is never re-encoded")),
};

function setupComposer() {
  const onSend = vi.fn<(text: string, images: ImagePart[], files: FilePart[]) => void>();
  render(
    <Composer
      onSend={onSend}
      onStop={() => {}}
      streaming={false}
      modelLabel="Claude Sonnet"
      draftKey="u1:7"
      resizer={resizer}
    />,
  );
  return { onSend };
}

function pick(files: File[]) {
  fireEvent.change(screen.getByTestId("attach-input"), { target: { files } });
}

beforeEach(() => localStorage.clear());
afterEach(() => vi.unstubAllGlobals());

describe("reading a file as text", () => {
  it("reads UTF-8 text, keeps the base name and guesses the type from the extension", async () => {
    const part = await readTextFile(new File(["# Café ☕\n"], "notes.md", { type: "" }));
    expect(part).toEqual({ name: "notes.md", media_type: "text/markdown", text: "# Café ☕\n" });
    const typed = await readTextFile(new File(["a,b"], "t.csv", { type: "text/csv" }));
    expect(typed.media_type).toBe("text/csv");
    const odd = await readTextFile(new File(["x"], "Makefile", { type: "" }));
    expect(odd.media_type).toBe("text/plain");
  });

  it("refuses bytes that are not UTF-8, NUL bytes, too much text, PDF and Office files", async () => {
    const notUtf8 = new File([new Uint8Array([0x66, 0xff, 0xfe, 0x00])], "blob.dat");
    await expect(readTextFile(notUtf8)).rejects.toMatchObject({ kind: "binary" });
    await expect(readTextFile(new File(["a\u0000b"], "nul.txt"))).rejects.toMatchObject({ kind: "binary" });
    const big = new File(["x".repeat(MAX_FILE_CHARS + 1)], "big.log");
    await expect(readTextFile(big)).rejects.toMatchObject({ kind: "textSize" });
    await expect(readTextFile(new File(["x".repeat(MAX_FILE_CHARS)], "ok.log"))).resolves.toMatchObject({ name: "ok.log" });
    await expect(readTextFile(new File(["%PDF-1.7"], "paper.pdf"))).rejects.toMatchObject({ kind: "pdf" });
    expect(fileKind(new File(["x"], "report.xlsx"))).toBe("office");
    expect(fileKind(new File(["x"], "shot.png", { type: "image/png" }))).toBe("image");
  });
});

describe("Composer with text files", () => {
  it("the paperclip takes any file (no accept filter)", () => {
    setupComposer();
    expect(screen.getByTestId("attach-input")).not.toHaveAttribute("accept");
  });

  it("a picked .py file shows as a chip that opens its text, and is sent with the message", async () => {
    const { onSend } = setupComposer();
    pick([pyFile()]);
    const chip = await screen.findByTestId("file-chip");
    await waitFor(() => expect(chip).toHaveAttribute("data-state", "ready"));
    expect(chip).toHaveTextContent("greet.py");
    expect(chip).toHaveTextContent(`${new TextEncoder().encode(CODE).length} B`);
    // No image thumbnail for a file.
    expect(screen.queryByTestId("attachment-thumb")).toBeNull();

    fireEvent.click(within(chip).getByRole("button", { name: "Open greet.py" }));
    const viewer = await screen.findByRole("dialog", { name: "greet.py" });
    const text = within(viewer).getByTestId("file-viewer-text");
    // Plain text: the markup in the file is shown as typed, never rendered.
    expect(text.textContent).toBe(CODE);
    expect(text.querySelector("b")).toBeNull();
    expect(viewer).toHaveTextContent(`text/x-python · ${new TextEncoder().encode(CODE).length} B · 2 lines`);
    const writeText = vi.fn(() => Promise.resolve());
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    fireEvent.click(within(viewer).getByRole("button", { name: "Copy" }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(CODE));
    fireEvent.keyDown(viewer, { key: "Escape" });
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());

    fireEvent.change(screen.getByTestId("composer-input"), { target: { value: "Review this" } });
    fireEvent.click(screen.getByRole("button", { name: "Send message" }));
    expect(onSend).toHaveBeenCalledWith("Review this", [], [
      { name: "greet.py", media_type: "text/x-python", text: CODE },
    ]);
    expect(screen.queryByTestId("file-chip")).toBeNull();
  });

  it("a file alone can be sent; removing its chip leaves nothing to send", async () => {
    const { onSend } = setupComposer();
    pick([pyFile("a.txt", "hello")]);
    await waitFor(() => expect(screen.getByTestId("file-chip")).toHaveAttribute("data-state", "ready"));
    const send = screen.getByRole("button", { name: "Send message" });
    expect(send).toBeEnabled();
    fireEvent.click(screen.getByRole("button", { name: "Remove a.txt" }));
    expect(screen.queryByTestId("file-chip")).toBeNull();
    expect(send).toBeDisabled();
    pick([pyFile("b.txt", "again")]);
    await waitFor(() => expect(screen.getByTestId("file-chip")).toHaveAttribute("data-state", "ready"));
    fireEvent.click(screen.getByRole("button", { name: "Send message" }));
    expect(onSend).toHaveBeenCalledWith("", [], [{ name: "b.txt", media_type: "text/plain", text: "again" }]);
  });

  it("says inline why a binary file, a PDF or an oversized text was refused", async () => {
    setupComposer();
    pick([
      new File([new Uint8Array([0x89, 0x50, 0x00, 0xff])], "archive.bin"),
      new File(["%PDF"], "paper.pdf", { type: "application/pdf" }),
      new File(["x".repeat(MAX_FILE_CHARS + 1)], "huge.log"),
    ]);
    const problems = await screen.findByTestId("attach-problems");
    await waitFor(() => expect(problems.querySelectorAll("li")).toHaveLength(3));
    expect(problems).toHaveTextContent("paper.pdf: PDF files aren't supported yet — paste the text instead.");
    expect(problems).toHaveTextContent("archive.bin isn't a text file");
    expect(problems).toHaveTextContent("huge.log is too large: a file can hold at most 512 KB of text.");
    expect(screen.queryByTestId("file-chip")).toBeNull();
  });

  it("a file that would take the message past 2 million characters is refused", async () => {
    setupComposer();
    const part = (i: number) => new File(["y".repeat(450_000)], `part${i}.txt`);
    pick([part(1), part(2), part(3), part(4)]);
    await waitFor(() =>
      expect(screen.getAllByTestId("file-chip").filter((c) => c.dataset.state === "ready")).toHaveLength(4),
    );
    pick([part(5)]);
    expect(await screen.findByTestId("attach-problems")).toHaveTextContent(
      "part5.txt was not added: the files of one message can hold at most 2 million characters.",
    );
    await waitFor(() => expect(screen.getAllByTestId("file-chip")).toHaveLength(4));
  });
});

const FILE: FilePart = { name: "greet.py", media_type: "text/x-python", text: CODE };

function seededStore() {
  const conversation = chatConversation("Code", [
    chatMessage("1", "user", "What does it do?", null, { files: [FILE] }),
    chatMessage("2", "assistant", "It greets.", "1"),
  ]);
  return seededChatStore({ conversation, user: ADA });
}

function mockFetch(answer: () => Response) {
  const bodies: Record<string, unknown>[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (url.includes("/api/chat/stream")) {
        bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
        return Promise.resolve(answer());
      }
      return new Promise<Response>(() => {});
    }),
  );
  return bodies;
}

describe("files in the chat", () => {
  it("a saved message shows its file chip, which opens the file; an edit sends the file again", async () => {
    const bodies = mockFetch(() => new Response("", { status: 500 }));
    renderWithApp(<ChatView conversationId="1" />, { store: seededStore() });
    const chip = await screen.findByRole("button", { name: "Open greet.py" });
    fireEvent.click(chip);
    const viewer = await screen.findByRole("dialog", { name: "greet.py" });
    expect(within(viewer).getByTestId("file-viewer-text").textContent).toBe(CODE);
    fireEvent.keyDown(viewer, { key: "Escape" });
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());

    fireEvent.click(screen.getByRole("button", { name: "Edit" }));
    expect(within(screen.getByTestId("edit-files")).getByText("greet.py")).toBeInTheDocument();
    fireEvent.change(screen.getByRole("textbox", { name: "Edit" }), { target: { value: "Shorter?" } });
    fireEvent.click(screen.getByRole("button", { name: "Save & submit" }));
    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toMatchObject({
      edit_message_id: 1,
      content: "Shorter?",
      attachments: [{ type: "file", name: "greet.py", media_type: "text/x-python", text: CODE }],
    });
  });

  it("a refused send puts the file back in the composer, with the text", async () => {
    const bodies = mockFetch(
      () =>
        new Response(JSON.stringify({ error: { code: "rate_limited", message: "Too many requests" } }), {
          status: 429,
          headers: { "Content-Type": "application/json" },
        }),
    );
    renderWithApp(<ChatView conversationId="1" />, { store: seededStore() });
    const box = await screen.findByTestId("composer-input");
    const composer = () => within(box.closest("form") as HTMLElement);
    pick([pyFile("notes.md", "# Notes\n")]);
    await waitFor(() => expect(composer().getByTestId("file-chip")).toHaveAttribute("data-state", "ready"));
    fireEvent.change(box, { target: { value: "Summarise" } });
    fireEvent.click(screen.getByRole("button", { name: "Send message" }));
    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toMatchObject({
      conversation_id: 1,
      content: "Summarise",
      attachments: [{ type: "file", name: "notes.md", media_type: "text/markdown", text: "# Notes\n" }],
    });
    await waitFor(() => expect(screen.getByTestId("composer-input")).toHaveValue("Summarise"));
    const form = screen.getByTestId("composer-input").closest("form");
    expect(form).not.toBeNull();
    expect(within(form as HTMLElement).getByTestId("file-chip")).toHaveTextContent("notes.md");
    // Not shown twice: no pending bubble holds it above.
    expect(screen.getAllByText("notes.md")).toHaveLength(1);
  });
});
