/**
 * What the server will refuse before anything is sent, and what a Retry should ask again.
 *
 * The server sends the whole active branch with every turn and refuses a model without
 * vision when any message in it holds an image (`has_images` in
 * src/polychat/chat/service.py). Which messages that is depends on the request:
 *   - a new message: the whole active branch;
 *   - an edit: the branch BEFORE the edited message, plus the edited message's new images;
 *   - a regenerate: the branch up to and including the answer's user message.
 */
import type { ChatMessage, FilePart, ImagePart } from "@/api/types";
import type { LiveStream } from "@/store/streamSlice";

const hasImages = (m: ChatMessage) => (m.images?.length ?? 0) > 0;

/**
 * For each loaded message of the active branch, whether a message before it holds images.
 * `olderHaveImages`: the server's `images_before` (messages older than those loaded).
 */
export function imagesBeforeEach(messages: readonly ChatMessage[], olderHaveImages: boolean): ReadonlyMap<string, boolean> {
  const out = new Map<string, boolean>();
  let seen = olderHaveImages;
  for (const m of messages) {
    out.set(m.id, seen);
    if (hasImages(m)) seen = true;
  }
  return out;
}

/** Whether the branch a new message would be sent with holds images. */
export function branchHasImages(messages: readonly ChatMessage[], olderHaveImages: boolean): boolean {
  return olderHaveImages || messages.some(hasImages);
}

export type RetryPlan =
  | { kind: "regenerate"; messageId: string }
  | { kind: "edit"; messageId: string; content: string; images: readonly ImagePart[]; files: readonly FilePart[] }
  | { kind: "send"; content: string; images: readonly ImagePart[]; files: readonly FilePart[] }
  /** Refused before it started: the message went back into the composer; send it from there. */
  | { kind: "composer" };

/**
 * How to retry a failed answer. Once the server named the answer, the user's turn (new or
 * edited) is saved with it: a new answer beside it is the retry, never a second copy of the
 * question. Refused before that, nothing was saved: the same request is made again — an
 * edit as an edit of the same message, a regenerate as a regenerate.
 */
export function retryPlan(
  live: Pick<LiveStream, "kind" | "assistantMessageId" | "replaces" | "pendingUserText" | "pendingImages"> &
    Partial<Pick<LiveStream, "pendingFiles">>,
): RetryPlan {
  if (live.assistantMessageId) return { kind: "regenerate", messageId: live.assistantMessageId };
  if (live.kind === "regenerate" && live.replaces) return { kind: "regenerate", messageId: live.replaces };
  const content = live.pendingUserText ?? "";
  const images = live.pendingImages ?? [];
  const files = live.pendingFiles ?? [];
  if (live.kind === "edit" && live.replaces) return { kind: "edit", messageId: live.replaces, content, images, files };
  if (content || images.length > 0 || files.length > 0) return { kind: "send", content, images, files };
  return { kind: "composer" };
}
