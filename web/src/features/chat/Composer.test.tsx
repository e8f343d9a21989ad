import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FilePart, ImagePart } from "@/api/types";
import type { ImageResizer } from "./attachments";
import { Composer } from "./Composer";
import { loadDraftText, returnDraft } from "./drafts";

/** Small images go through untouched, so only `measure` is ever asked. */
const resizer: ImageResizer = {
  measure: () => Promise.resolve({ width: 32, height: 32 }),
  encode: () => Promise.reject(new Error("a small image is never re-encoded")),
};

function png(name = "shot.png", bytes = "pixels"): File {
  return new File([bytes], name, { type: "image/png" });
}

/** Paste `files` (and optionally some plain text); false when the default paste was prevented. */
function paste(files: File[], text = ""): boolean {
  return fireEvent.paste(screen.getByTestId("composer-input"), {
    clipboardData: {
      files,
      types: text ? ["text/plain", "Files"] : ["Files"],
      getData: (type: string) => (type === "text/plain" ? text : ""),
    },
  });
}

function setup(over: Partial<Parameters<typeof Composer>[0]> = {}) {
  const onSend = vi.fn<(text: string, images: ImagePart[], files: FilePart[]) => void>();
  const utils = render(
    <Composer
      onSend={onSend}
      onStop={() => {}}
      streaming={false}
      modelLabel="Claude Sonnet"
      draftKey="u1:42"
      resizer={resizer}
      {...over}
    />,
  );
  return { onSend, ...utils };
}

beforeEach(() => localStorage.clear());
afterEach(() => vi.useRealTimers());

describe("Composer attachments", () => {
  it("a pasted image shows as a thumbnail, is sent with the text, and the box empties", async () => {
    const { onSend } = setup();
    paste([png()]);
    const thumb = await screen.findByTestId("attachment-thumb");
    await waitFor(() => expect(thumb).toHaveAttribute("data-state", "ready"));
    expect(screen.getByRole("button", { name: "View shot.png" }).querySelector("img")).toHaveAttribute(
      "src",
      `data:image/png;base64,${btoa("pixels")}`,
    );
    // An image alone is enough to send.
    const send = screen.getByRole("button", { name: "Send message" });
    expect(send).toBeEnabled();
    fireEvent.change(screen.getByTestId("composer-input"), { target: { value: "What is this?" } });
    fireEvent.click(send);
    expect(onSend).toHaveBeenCalledWith("What is this?", [{ media_type: "image/png", data: btoa("pixels") }], []);
    expect(screen.queryByTestId("attachment-thumb")).toBeNull();
    expect(screen.getByTestId("composer-input")).toHaveValue("");
  });

  it("pasted text that comes with a picture of itself (spreadsheet cells) stays text", async () => {
    setup();
    expect(paste([png("image.png")], "Q1\t1200\nQ2\t1350")).toBe(true);
    // A copied file's only text is its name: that one is attached.
    expect(paste([png("holiday.png")], "holiday.png")).toBe(false);
    await waitFor(() => expect(screen.getAllByTestId("attachment-thumb")).toHaveLength(1));
    expect(screen.getByRole("button", { name: "Remove holiday.png" })).toBeInTheDocument();
  });

  it("the remove button takes one image out", async () => {
    setup();
    paste([png("a.png"), png("b.png")]);
    await waitFor(() => expect(screen.getAllByTestId("attachment-thumb")).toHaveLength(2));
    fireEvent.click(screen.getByRole("button", { name: "Remove a.png" }));
    const left = screen.getAllByTestId("attachment-thumb");
    expect(left).toHaveLength(1);
    expect(screen.getByRole("button", { name: "Remove b.png" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Remove a.png" })).toBeNull();
  });

  it("says inline why a file was refused", async () => {
    setup();
    paste([new File(["%PDF"], "notes.pdf", { type: "application/pdf" })]);
    expect(await screen.findByTestId("attach-problems")).toHaveTextContent(
      "notes.pdf: PDF files aren't supported yet — paste the text instead.",
    );
    expect(screen.queryByTestId("attachment-thumb")).toBeNull();
  });

  it("too many images: the extra ones are named in a message", async () => {
    setup();
    paste(Array.from({ length: 18 }, (_, i) => png(`${i}.png`)));
    await waitFor(() => expect(screen.getAllByTestId("attachment-thumb")).toHaveLength(16));
    expect(screen.getByTestId("attach-problems")).toHaveTextContent("At most 16 attachments per message: 2 files were not added.");
  });

  it("a model without vision: an inline notice, and send is disabled until the images go", async () => {
    const { onSend } = setup({ noVisionModel: "Open Mistral 7B" });
    fireEvent.change(screen.getByTestId("composer-input"), { target: { value: "Describe it" } });
    expect(screen.queryByTestId("vision-notice")).toBeNull();
    paste([png()]);
    expect(await screen.findByTestId("vision-notice")).toHaveTextContent(
      "Open Mistral 7B can't read images — pick a model with vision or remove them.",
    );
    const send = screen.getByRole("button", { name: "Send message" });
    expect(send).toBeDisabled();
    fireEvent.keyDown(screen.getByTestId("composer-input"), { key: "Enter" });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole("button", { name: "Remove shot.png" }));
    expect(screen.queryByTestId("vision-notice")).toBeNull();
    expect(send).toBeEnabled();
  });

  it("send waits while an image is still being prepared", async () => {
    let finish: (v: { width: number; height: number }) => void = () => {};
    const slow: ImageResizer = { ...resizer, measure: () => new Promise((r) => (finish = r)) };
    setup({ resizer: slow });
    fireEvent.change(screen.getByTestId("composer-input"), { target: { value: "Look" } });
    paste([png()]);
    expect(await screen.findByRole("status", { name: "Preparing shot.png…" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Send message" })).toBeDisabled();
    await act(async () => finish({ width: 10, height: 10 }));
    await waitFor(() => expect(screen.getByRole("button", { name: "Send message" })).toBeEnabled());
  });
});

describe("Composer drafts", () => {
  it("restores the saved text of its conversation", () => {
    localStorage.setItem("polychat.draft.u1:42", "half a thought");
    localStorage.setItem("polychat.draft.u1:7", "another chat");
    setup();
    expect(screen.getByTestId("composer-input")).toHaveValue("half a thought");
  });

  it("saves while typing (debounced) and clears once sent", () => {
    vi.useFakeTimers();
    const { onSend } = setup();
    const box = screen.getByTestId("composer-input");
    fireEvent.change(box, { target: { value: "Draft in progress" } });
    expect(loadDraftText("u1:42")).toBe("");
    act(() => vi.advanceTimersByTime(500));
    expect(loadDraftText("u1:42")).toBe("Draft in progress");
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onSend).toHaveBeenCalledWith("Draft in progress", [], []);
    act(() => vi.advanceTimersByTime(500));
    expect(loadDraftText("u1:42")).toBe("");
  });

  it("leaving a conversation at once still keeps what was typed", () => {
    const { unmount } = setup();
    fireEvent.change(screen.getByTestId("composer-input"), { target: { value: "typed then left" } });
    unmount(); // before the debounce fired
    expect(loadDraftText("u1:42")).toBe("typed then left");
    setup();
    expect(screen.getByTestId("composer-input")).toHaveValue("typed then left");
  });

  it("a message given back after a failed send returns with its images", async () => {
    setup();
    act(() => returnDraft("u1:42", { text: "Try again", images: [{ media_type: "image/jpeg", data: "AAAA" }] }));
    expect(screen.getByTestId("composer-input")).toHaveValue("Try again");
    expect(await screen.findByRole("button", { name: "View image 1" })).toBeInTheDocument();
    // Another conversation's composer is not touched.
    act(() => returnDraft("u1:9", { text: "elsewhere", images: [] }));
    expect(screen.getByTestId("composer-input")).toHaveValue("Try again");
  });
});
