import { describe, expect, it } from "vitest";
import {
  AttachmentError,
  MAX_ATTACHMENTS,
  MAX_EDGE,
  MAX_INPUT_BYTES,
  TARGET_BYTES,
  base64Bytes,
  blobToBase64,
  fitWithin,
  fromDataUrl,
  prepareImage,
  screenFiles,
  toDataUrl,
  type ImageResizer,
} from "./attachments";

/** A File of `size` bytes whose `size` is real (jsdom counts the bytes it is given). */
function file(name: string, type: string, size = 10): File {
  return new File([new Uint8Array(size)], name, { type });
}

/** A resizer that reports a fixed natural size and "encodes" to a blob of a chosen size. */
function fakeResizer(
  natural: { width: number; height: number },
  encodedSize: (w: number, h: number, type: string, q: number) => number,
  produces?: (requested: string) => string,
) {
  const calls: { width: number; height: number; type: string; quality: number }[] = [];
  const resizer: ImageResizer = {
    measure: () => Promise.resolve(natural),
    encode: (_blob, width, height, type, quality) => {
      calls.push({ width, height, type, quality });
      const out = produces ? produces(type) : type;
      return Promise.resolve(new Blob([new Uint8Array(encodedSize(width, height, type, quality))], { type: out }));
    },
  };
  return { resizer, calls };
}

describe("screenFiles", () => {
  it("accepts the four image types and any file that may be text; refuses PDF and Office by name", () => {
    const { accepted, problems } = screenFiles(
      [file("a.png", "image/png"), file("b.jpg", "image/jpeg"), file("c.gif", "image/gif"), file("d.webp", "image/webp"),
        file("e.svg", "image/svg+xml"), file("f.pdf", "application/pdf"), file("g.py", ""),
        file("h.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")],
      0,
    );
    expect(accepted.map((f) => f.name)).toEqual(["a.png", "b.jpg", "c.gif", "d.webp", "e.svg", "g.py"]);
    expect(problems).toEqual([
      { kind: "pdf", name: "f.pdf" },
      { kind: "office", name: "h.docx" },
    ]);
  });

  it("keeps the first ones up to the per-message limit and counts the rest", () => {
    const files = Array.from({ length: 5 }, (_, i) => file(`${i}.png`, "image/png"));
    const { accepted, problems } = screenFiles(files, MAX_ATTACHMENTS - 2);
    expect(accepted.map((f) => f.name)).toEqual(["0.png", "1.png"]);
    expect(problems).toEqual([{ kind: "count", name: "3" }]);
  });

  it("refuses a file above the input limit before reading it", () => {
    const big = file("huge.png", "image/png");
    Object.defineProperty(big, "size", { value: MAX_INPUT_BYTES + 1 });
    expect(screenFiles([big], 0)).toEqual({ accepted: [], problems: [{ kind: "size", name: "huge.png" }] });
  });
});

describe("base64 and data: URLs", () => {
  it("counts decoded bytes with and without padding", () => {
    expect(base64Bytes(btoa("abc"))).toBe(3);
    expect(base64Bytes(btoa("abcd"))).toBe(4);
    expect(base64Bytes(btoa("abcde"))).toBe(5);
    expect(base64Bytes("")).toBe(0);
  });

  it("builds data: URLs only for image types and real base64", () => {
    expect(toDataUrl({ media_type: "image/png", data: "iVBORw0KGgo=" })).toBe("data:image/png;base64,iVBORw0KGgo=");
    expect(toDataUrl({ media_type: "text/html", data: "PGgxPg==" })).toBeNull();
    expect(toDataUrl({ media_type: "image/svg+xml", data: "PHN2Zz4=" })).toBeNull();
    expect(toDataUrl({ media_type: "image/png", data: "abc\");alert(1)//" })).toBeNull();
    expect(toDataUrl({ media_type: "image/png", data: "" })).toBeNull();
    expect(toDataUrl({ media_type: "image/png", data: 42 })).toBeNull();
  });

  it("splits a data: URL back into a part", () => {
    expect(fromDataUrl("data:image/webp;base64,UklGRg==")).toEqual({ media_type: "image/webp", data: "UklGRg==" });
    expect(fromDataUrl("data:text/plain;base64,aGk=")).toBeNull();
    expect(fromDataUrl("https://example.com/a.png")).toBeNull();
  });

  it("reads a blob as base64 without the data: prefix", async () => {
    const data = await blobToBase64(new Blob(["hello"], { type: "image/png" }));
    expect(data).toBe(btoa("hello"));
  });
});

describe("fitWithin", () => {
  it("scales the long edge down to the limit and keeps the ratio", () => {
    expect(fitWithin(4000, 3000)).toEqual({ width: MAX_EDGE, height: 1536 });
    expect(fitWithin(1000, 5000)).toEqual({ width: 410, height: MAX_EDGE });
    expect(fitWithin(800, 600)).toEqual({ width: 800, height: 600 });
  });
});

describe("prepareImage", () => {
  it("sends a small image as it is (a PNG stays a PNG)", async () => {
    const { resizer, calls } = fakeResizer({ width: 640, height: 480 }, () => 1);
    const img = await prepareImage(new File(["pixels"], "shot.png", { type: "image/png" }), resizer);
    expect(calls).toEqual([]);
    expect(img).toMatchObject({ media_type: "image/png", data: btoa("pixels"), width: 640, height: 480 });
  });

  it("downscales a large photo to the edge limit as JPEG", async () => {
    const { resizer, calls } = fakeResizer({ width: 6000, height: 4000 }, () => 900_000);
    const img = await prepareImage(file("photo.jpg", "image/jpeg", 10), resizer);
    expect(calls[0]).toMatchObject({ width: 2048, height: 1365, type: "image/jpeg" });
    expect(img.media_type).toBe("image/jpeg");
    expect(img.bytes).toBeLessThanOrEqual(TARGET_BYTES);
    expect(base64Bytes(img.data)).toBe(900_000);
  });

  it("re-encodes a heavy PNG to WebP, and to JPEG when the browser cannot write WebP", async () => {
    const big = file("big.png", "image/png", TARGET_BYTES + 1);
    const webp = fakeResizer({ width: 1200, height: 900 }, () => 500_000);
    expect((await prepareImage(big, webp.resizer)).media_type).toBe("image/webp");
    // Safari's canvas answers a WebP request with a PNG.
    const safari = fakeResizer({ width: 1200, height: 900 }, () => 500_000, (t) => (t === "image/webp" ? "image/png" : t));
    expect((await prepareImage(big, safari.resizer)).media_type).toBe("image/jpeg");
    expect(safari.calls.map((c) => c.type)).toEqual(["image/webp", "image/jpeg"]);
  });

  it("lowers quality, then size, until the encoded image fits", async () => {
    const { resizer, calls } = fakeResizer({ width: 4096, height: 4096 }, (w) => (w > 1200 ? TARGET_BYTES * 2 : 1000));
    const img = await prepareImage(file("noise.jpg", "image/jpeg", 10), resizer);
    expect(calls[0]).toMatchObject({ width: 2048, quality: 0.88 });
    expect(calls[1]).toMatchObject({ width: 2048, quality: 0.8 });
    expect(calls.at(-1)?.width).toBeLessThanOrEqual(1200);
    expect(img.width).toBe(calls.at(-1)?.width);
  });

  it("gives up with a size error when nothing fits", async () => {
    const { resizer } = fakeResizer({ width: 3000, height: 3000 }, () => TARGET_BYTES * 10);
    await expect(prepareImage(file("x.jpg", "image/jpeg"), resizer)).rejects.toMatchObject({ kind: "size", fileName: "x.jpg" });
  });

  it("reports an image the browser cannot decode, and refuses other types", async () => {
    const broken: ImageResizer = {
      measure: () => Promise.reject(new Error("decode")),
      encode: () => Promise.reject(new Error("unused")),
    };
    await expect(prepareImage(file("bad.png", "image/png"), broken)).rejects.toBeInstanceOf(AttachmentError);
    await expect(prepareImage(file("bad.png", "image/png"), broken)).rejects.toMatchObject({ kind: "read" });
    await expect(prepareImage(file("a.bmp", "image/bmp"), broken)).rejects.toMatchObject({ kind: "type" });
  });
});
