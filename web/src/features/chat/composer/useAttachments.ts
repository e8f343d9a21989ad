import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import type { FilePart, ImagePart } from "@/api/types";
import {
  AttachmentError,
  MAX_ATTACHMENTS,
  MAX_FILES_CHARS,
  isImageType,
  prepareImage,
  readTextFile,
  screenFiles,
  type AttachmentProblem,
  type ImageResizer,
} from "../attachments";
import type { ReturnedDraft } from "../drafts";

/** One attachment in the composer's tray. */
export interface Attachment {
  id: number;
  name: string;
  /** An image, or a text file (read as UTF-8, shown as a chip). */
  kind: "image" | "file";
  /** null while the file is being read and resized. */
  image: ImagePart | null;
  /** The text file once read (null while reading, or for an image). */
  file: FilePart | null;
  /** Pixel size as it will be sent (after any downscaling), when known. */
  size?: { width: number; height: number };
}

/**
 * The composer's attachments: files are screened (type, size, count), images read and
 * downscaled, text files read, each shown at once and filled in when ready; what cannot be
 * attached is listed in `problems`. A text file that would take the message past the
 * server's total is refused as it finishes reading (two may finish in one tick).
 */
export function useAttachments(resizer: ImageResizer) {
  const [items, setItems] = useState<Attachment[]>([]);
  const [problems, setProblems] = useState<AttachmentProblem[]>([]);
  const nextId = useRef(1);
  const alive = useRef(true);
  // For callbacks that outlive a render: addFiles' count, and the characters of the text
  // files read so far, by item.
  const count = useRef(0);
  const fileChars = useRef(new Map<number, number>());
  useLayoutEffect(() => {
    count.current = items.length;
    for (const id of [...fileChars.current.keys()]) {
      if (!items.some((it) => it.id === id)) fileChars.current.delete(id);
    }
  });
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const addFiles = useCallback(
    (files: readonly File[]) => {
      if (files.length === 0) return;
      const { accepted, problems: found } = screenFiles(files, count.current);
      setProblems(found);
      const added = accepted.map((f) => ({
        id: nextId.current++,
        name: f.name,
        kind: isImageType(f.type) ? ("image" as const) : ("file" as const),
        blob: f,
      }));
      count.current += added.length;
      setItems((cur) => [
        ...cur,
        ...added.map(({ id, name, kind }): Attachment => ({ id, name, kind, image: null, file: null })),
      ]);
      const refuse = (id: number, name: string, err: unknown) => {
        if (!alive.current) return;
        const kind = err instanceof AttachmentError ? err.kind : "read";
        setItems((cur) => cur.filter((it) => it.id !== id));
        setProblems((cur) => [...cur, { kind, name }]);
      };
      for (const a of added) {
        if (a.kind === "file") {
          readTextFile(a.blob).then((file) => {
            if (!alive.current) return;
            let used = 0;
            for (const n of fileChars.current.values()) used += n;
            if (used + file.text.length > MAX_FILES_CHARS) {
              refuse(a.id, a.name, new AttachmentError("total", a.name));
              return;
            }
            fileChars.current.set(a.id, file.text.length);
            setItems((cur) => cur.map((it) => (it.id === a.id ? { ...it, name: file.name, file } : it)));
          }, (err: unknown) => refuse(a.id, a.name, err));
          continue;
        }
        prepareImage(a.blob, resizer).then(
          (img) => {
            if (!alive.current) return;
            const part: ImagePart = { media_type: img.media_type, data: img.data };
            const size = { width: img.width, height: img.height };
            setItems((cur) => cur.map((it) => (it.id === a.id ? { ...it, image: part, size } : it)));
          },
          (err: unknown) => refuse(a.id, a.name, err),
        );
      }
    },
    [resizer],
  );

  /** A returned message's images and files go back in front of what is there. */
  const restore = useCallback((d: ReturnedDraft) => {
    setItems((cur) =>
      [
        ...d.images.map((image): Attachment => ({ id: nextId.current++, name: "", kind: "image", image, file: null })),
        ...(d.files ?? []).map((file): Attachment => {
          const id = nextId.current++;
          fileChars.current.set(id, file.text.length);
          return { id, name: file.name, kind: "file", image: null, file };
        }),
        ...cur,
      ].slice(0, MAX_ATTACHMENTS),
    );
  }, []);

  const remove = useCallback((id: number) => setItems((cur) => cur.filter((x) => x.id !== id)), []);
  const clear = useCallback(() => {
    setItems([]);
    setProblems([]);
  }, []);
  const dismissProblems = useCallback(() => setProblems([]), []);

  return {
    items,
    problems,
    images: items.flatMap((it) => (it.image ? [it.image] : [])),
    files: items.flatMap((it) => (it.file ? [it.file] : [])),
    /** Some attachment is still being read. */
    reading: items.some((it) => it.image === null && it.file === null),
    addFiles,
    restore,
    remove,
    clear,
    dismissProblems,
  };
}
