import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { MAX_ATTACHMENTS, MAX_FILES_CHARS, type ImageResizer } from "../attachments";
import { useAttachments } from "./useAttachments";

const resizer: ImageResizer = {
  measure: () => Promise.resolve({ width: 32, height: 32 }),
  encode: () => Promise.reject(new Error("a small image is never re-encoded")),
};
const png = (name = "shot.png") => new File(["pixels"], name, { type: "image/png" });
const py = (name: string, text: string) => new File([text], name, { type: "text/x-python" });

describe("useAttachments", () => {
  it("shows a file at once, then fills it in: an image with its size, a text file with its text", async () => {
    const { result } = renderHook(() => useAttachments(resizer));
    act(() => result.current.addFiles([png(), py("a.py", "print(1)")]));
    expect(result.current.items.map((it) => it.kind)).toEqual(["image", "file"]);
    expect(result.current.reading).toBe(true);
    await waitFor(() => expect(result.current.reading).toBe(false));
    expect(result.current.images).toEqual([{ media_type: "image/png", data: btoa("pixels") }]);
    expect(result.current.items[0]?.size).toEqual({ width: 32, height: 32 });
    expect(result.current.files).toEqual([{ name: "a.py", media_type: "text/x-python", text: "print(1)" }]);
    expect(result.current.problems).toEqual([]);
  });

  it("lists what it refuses and keeps the rest", async () => {
    const { result } = renderHook(() => useAttachments(resizer));
    act(() => result.current.addFiles([new File(["%PDF"], "doc.pdf", { type: "application/pdf" }), png()]));
    expect(result.current.problems).toEqual([{ kind: "pdf", name: "doc.pdf" }]);
    await waitFor(() => expect(result.current.images).toHaveLength(1));
    act(() => result.current.dismissProblems());
    expect(result.current.problems).toEqual([]);
  });

  it("refuses a text file that would take the message past the total", async () => {
    const { result } = renderHook(() => useAttachments(resizer));
    const quarter = "x".repeat(MAX_FILES_CHARS / 4);
    act(() => result.current.addFiles(["a", "b", "c", "d"].map((n) => py(`${n}.py`, quarter))));
    await waitFor(() => expect(result.current.files).toHaveLength(4));
    act(() => result.current.addFiles([py("e.py", "one more")]));
    await waitFor(() => expect(result.current.problems).toEqual([{ kind: "total", name: "e.py" }]));
    expect(result.current.items).toHaveLength(4);
    // Removing one frees its share.
    act(() => result.current.remove(result.current.items[0]?.id ?? -1));
    act(() => result.current.addFiles([py("e.py", "one more")]));
    await waitFor(() => expect(result.current.files.map((f) => f.name)).toEqual(["b.py", "c.py", "d.py", "e.py"]));
  });

  it("puts a returned message's attachments first, up to the limit, and clears them all", () => {
    const { result } = renderHook(() => useAttachments(resizer));
    const image = { media_type: "image/png" as const, data: "AAAA" };
    const file = { name: "a.py", media_type: "text/x-python", text: "x" };
    act(() => result.current.restore({ text: "", images: [image], files: [file] }));
    expect(result.current.images).toEqual([image]);
    expect(result.current.files).toEqual([file]);
    act(() => result.current.restore({ text: "", images: Array.from({ length: MAX_ATTACHMENTS }, () => image) }));
    expect(result.current.items).toHaveLength(MAX_ATTACHMENTS);
    expect(new Set(result.current.items.map((it) => it.id)).size).toBe(MAX_ATTACHMENTS);
    act(() => result.current.clear());
    expect(result.current.items).toEqual([]);
  });
});
