/**
 * Attachments: images and text files. Which files are accepted, how many, how large, how a
 * big image is made small enough for every provider before it is sent, and how any other
 * file is read as UTF-8 text (or refused when it is not text).
 *
 * Everything here is plain logic over Blobs and strings; the one part that needs a real
 * browser (decoding and drawing pixels) is behind `ImageResizer`, so tests inject a fake.
 */
import type { FilePart, ImageMediaType, ImagePart } from "@/api/types";

/** The server's list (`Attachment.media_type` in src/polychat/chat/schemas.py). */
export const IMAGE_TYPES: readonly ImageMediaType[] = ["image/png", "image/jpeg", "image/gif", "image/webp"];
/** The server's `ChatBody.attachments` max_length. */
export const MAX_ATTACHMENTS = 16;
/** A file bigger than this is refused before decoding it (a phone photo is 3-12 MB). */
export const MAX_INPUT_BYTES = 40 * 1024 * 1024;
/** Long edge after downscaling: what Claude, OpenAI and Gemini resize to (or below) anyway. */
export const MAX_EDGE = 2048;
/**
 * The encoded image we aim for. Claude refuses more than 5 MB of base64 per image (3.75 MB
 * of bytes) and Gemini caps a whole inline request at 20 MB: 1.5 MB keeps a message of
 * several images comfortably inside both.
 */
export const TARGET_BYTES = 1.5 * 1024 * 1024;

export function isImageType(v: unknown): v is ImageMediaType {
  return typeof v === "string" && (IMAGE_TYPES as readonly string[]).includes(v);
}

/** The server's `MAX_FILE_CHARS` and `MAX_FILES_CHARS` (src/polychat/chat/schemas.py). */
export const MAX_FILE_CHARS = 512_000;
export const MAX_FILES_CHARS = 2_000_000;
/** A file larger than this cannot hold 512,000 characters of UTF-8: refused unread. */
export const MAX_TEXT_INPUT_BYTES = 4 * MAX_FILE_CHARS;
/** The server's `FileAttachment.name` and `media_type` max_length. */
const MAX_NAME = 255;
const MAX_MEDIA_TYPE = 100;

export type ProblemKind = "type" | "count" | "size" | "read" | "binary" | "pdf" | "office" | "textSize" | "total";

/** Why a file was not attached; `name` is the file's name (or the number left out, for "count"). */
export interface AttachmentProblem {
  kind: ProblemKind;
  name: string;
}

export class AttachmentError extends Error {
  constructor(
    readonly kind: ProblemKind,
    readonly fileName: string,
  ) {
    super(`${kind}: ${fileName}`);
  }
}

const OFFICE_EXT = /\.(docx?|xlsx?|pptx?|od[tsp]|rtf|pages|numbers|key)$/i;

/** What a picked file will be: an image, a text file to read, or refused by its kind. */
export function fileKind(f: File): "image" | "text" | "pdf" | "office" {
  if (isImageType(f.type)) return "image";
  if (f.type === "application/pdf" || /\.pdf$/i.test(f.name)) return "pdf";
  if (
    OFFICE_EXT.test(f.name) ||
    f.type === "application/msword" ||
    f.type.startsWith("application/vnd.openxmlformats-officedocument") ||
    f.type.startsWith("application/vnd.ms-") ||
    f.type.startsWith("application/vnd.oasis.opendocument")
  ) {
    return "office";
  }
  return "text";
}

/**
 * Which of `files` may be attached next to `already` attachments: an image not huge, or
 * any other file small enough to be text (PDF and Office documents are refused), and no more
 * than the per-message limit (the first ones win, as the user picked them).
 */
export function screenFiles(
  files: readonly File[],
  already: number,
): { accepted: File[]; problems: AttachmentProblem[] } {
  const accepted: File[] = [];
  const problems: AttachmentProblem[] = [];
  let over = 0;
  for (const f of files) {
    const kind = fileKind(f);
    if (kind === "pdf" || kind === "office") problems.push({ kind, name: f.name || "?" });
    else if (kind === "image" && f.size > MAX_INPUT_BYTES) problems.push({ kind: "size", name: f.name });
    else if (kind === "text" && f.size > MAX_TEXT_INPUT_BYTES) problems.push({ kind: "textSize", name: f.name });
    else if (already + accepted.length >= MAX_ATTACHMENTS) over += 1;
    else accepted.push(f);
  }
  if (over > 0) problems.push({ kind: "count", name: String(over) });
  return { accepted, problems };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Bytes a base64 string decodes to (what providers count), without decoding it. */
export function base64Bytes(data: string): number {
  const pad = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((data.length * 3) / 4) - pad);
}

/** `data:image/png;base64,AAAA` → the part, or null for anything else. */
export function fromDataUrl(url: string): ImagePart | null {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (!m || !isImageType(m[1]) || !m[2] || !BASE64.test(m[2])) return null;
  return { media_type: m[1], data: m[2] };
}

/**
 * A `data:` URL for an image part, only for the four image types and real base64: a stored
 * part is server data, and `data:text/html` or a crafted string must never reach an `src`.
 */
export function toDataUrl(part: { media_type: unknown; data: unknown }): string | null {
  if (!isImageType(part.media_type) || typeof part.data !== "string" || !part.data) return null;
  if (!BASE64.test(part.data)) return null;
  return `data:${part.media_type};base64,${part.data}`;
}

/** A Blob as base64 (no prefix). FileReader exists in browsers and jsdom alike. */
export function blobToBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result ?? "");
      const comma = url.indexOf(",");
      resolve(comma >= 0 ? url.slice(comma + 1) : "");
    };
    reader.onerror = () => reject(reader.error ?? new Error("read failed"));
    reader.readAsDataURL(blob);
  });
}

/** A Blob's bytes. FileReader exists in browsers and jsdom alike. */
function blobBytes(blob: Blob): Promise<ArrayBuffer> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as ArrayBuffer);
    reader.onerror = () => reject(reader.error ?? new Error("read failed"));
    reader.readAsArrayBuffer(blob);
  });
}

const TEXT_TYPES: Record<string, string> = {
  txt: "text/plain", log: "text/plain", md: "text/markdown", markdown: "text/markdown",
  csv: "text/csv", tsv: "text/tab-separated-values", json: "application/json",
  py: "text/x-python", ts: "text/typescript", tsx: "text/typescript", js: "text/javascript",
  jsx: "text/javascript", mjs: "text/javascript", html: "text/html", htm: "text/html",
  css: "text/css", yaml: "application/yaml", yml: "application/yaml", xml: "application/xml",
  sql: "application/sql", sh: "application/x-sh", svg: "image/svg+xml", toml: "application/toml",
};

/** The media type sent with a text file: the browser's, else one from its extension. */
export function textMediaType(f: File): string {
  if (f.type && f.type !== "application/octet-stream" && f.type.length <= MAX_MEDIA_TYPE) return f.type;
  const ext = /\.([A-Za-z0-9]+)$/.exec(f.name)?.[1]?.toLowerCase() ?? "";
  return TEXT_TYPES[ext] ?? "text/plain";
}

/** The name the server keeps: the last path segment, at most 255 characters. */
export function fileBaseName(name: string): string {
  const base = name.replace(/\\/g, "/").split("/").pop()?.trim() ?? "";
  return (base || "file").slice(0, MAX_NAME);
}

/**
 * Read a non-image file as text: its bytes must be valid UTF-8 with no NUL (a binary file
 * fails either check) and hold at most `MAX_FILE_CHARS` characters.
 */
export async function readTextFile(file: File): Promise<FilePart> {
  const kind = fileKind(file);
  if (kind === "pdf" || kind === "office") throw new AttachmentError(kind, file.name);
  if (file.size > MAX_TEXT_INPUT_BYTES) throw new AttachmentError("textSize", file.name);
  let bytes: ArrayBuffer;
  try {
    bytes = await blobBytes(file);
  } catch {
    throw new AttachmentError("read", file.name);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AttachmentError("binary", file.name);
  }
  if (text.includes("\u0000")) throw new AttachmentError("binary", file.name);
  if (text.length > MAX_FILE_CHARS) throw new AttachmentError("textSize", file.name);
  return { name: fileBaseName(file.name), media_type: textMediaType(file), text };
}

/** "1.2 KB" / "340 B" / "2.4 MB": a text file's size as shown on its chip. */
export function formatBytes(bytes: number, locale?: string): string {
  const fmt = (n: number) => n.toLocaleString(locale, { maximumFractionDigits: n < 10 ? 1 : 0 });
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${fmt(bytes / 1024)} KB`;
  return `${fmt(bytes / 1024 / 1024)} MB`;
}

/** The UTF-8 size of a text (what the file weighed on disk). */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Decoding and drawing pixels: the browser's canvas in the app, a fake in tests. */
export interface ImageResizer {
  measure(blob: Blob): Promise<{ width: number; height: number }>;
  /** Draw at width×height and encode; the Blob's `type` says what the browser really made. */
  encode(blob: Blob, width: number, height: number, type: "image/jpeg" | "image/webp", quality: number): Promise<Blob>;
}

export interface PreparedImage extends ImagePart {
  width: number;
  height: number;
  bytes: number;
}

/** The size that fits `MAX_EDGE` on the long side, keeping the aspect ratio. */
export function fitWithin(width: number, height: number, edge = MAX_EDGE): { width: number; height: number } {
  const long = Math.max(width, height);
  if (long <= edge) return { width, height };
  const k = edge / long;
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

/**
 * Make one accepted file ready to send. Small images within `MAX_EDGE` go as they are (a
 * PNG screenshot stays a crisp PNG, a GIF keeps its frames); anything larger is drawn at
 * most `MAX_EDGE` wide and re-encoded — JPEG for photos, WebP (which keeps transparency)
 * for the rest, JPEG when the browser cannot write WebP — lowering quality, then size,
 * until it fits `TARGET_BYTES`.
 */
export async function prepareImage(file: File, resizer: ImageResizer): Promise<PreparedImage> {
  if (!isImageType(file.type)) throw new AttachmentError("type", file.name);
  if (file.size > MAX_INPUT_BYTES) throw new AttachmentError("size", file.name);
  let dims: { width: number; height: number };
  try {
    dims = await resizer.measure(file);
  } catch {
    throw new AttachmentError("read", file.name);
  }
  if (Math.max(dims.width, dims.height) <= MAX_EDGE && file.size <= TARGET_BYTES) {
    return { media_type: file.type, data: await blobToBase64(file), ...dims, bytes: file.size };
  }
  const wanted = file.type === "image/jpeg" ? "image/jpeg" : "image/webp";
  let { width, height } = fitWithin(dims.width, dims.height);
  for (let attempt = 0; attempt < 6; attempt++) {
    const quality = attempt === 0 ? 0.88 : 0.8;
    let out: Blob;
    try {
      out = await resizer.encode(file, width, height, wanted, quality);
      // Safari's canvas answers a WebP request with a PNG: ask for a JPEG instead.
      if (!isImageType(out.type) || (out.type !== wanted && out.type === "image/png")) {
        out = await resizer.encode(file, width, height, "image/jpeg", quality);
      }
    } catch {
      throw new AttachmentError("read", file.name);
    }
    if (out.size <= TARGET_BYTES && isImageType(out.type)) {
      return { media_type: out.type, data: await blobToBase64(out), width, height, bytes: out.size };
    }
    if (attempt > 0) {
      width = Math.max(1, Math.round(width * 0.75));
      height = Math.max(1, Math.round(height * 0.75));
    }
  }
  throw new AttachmentError("size", file.name);
}

/** The browser's resizer: createImageBitmap to decode, a canvas to draw and encode. */
export const browserResizer: ImageResizer = {
  async measure(blob) {
    const bmp = await createImageBitmap(blob);
    const size = { width: bmp.width, height: bmp.height };
    bmp.close();
    return size;
  },
  async encode(blob, width, height, type, quality) {
    const bmp = await createImageBitmap(blob, { resizeWidth: width, resizeHeight: height, resizeQuality: "high" });
    try {
      const canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      const ctx = canvas.getContext("2d");
      if (!ctx) throw new Error("no 2d canvas");
      if (type === "image/jpeg") {
        // JPEG has no alpha: transparent pixels would turn black.
        ctx.fillStyle = "#ffffff";
        ctx.fillRect(0, 0, width, height);
      }
      ctx.drawImage(bmp, 0, 0, width, height);
      return await new Promise<Blob>((resolve, reject) =>
        canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("encode failed"))), type, quality),
      );
    } finally {
      bmp.close();
    }
  },
};
