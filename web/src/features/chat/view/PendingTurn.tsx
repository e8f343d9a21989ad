import type { FilePart, ImagePart } from "@/api/types";
import { MessageFiles } from "../FileAttachments";
import { MessageImages } from "../ImageViewer";
import { UserBubble } from "../MessageItem";

/** What the user just sent, shown at once until the saved conversation holds it. */
export function PendingTurn({
  text,
  images,
  files,
}: {
  text: string | null | undefined;
  images: readonly ImagePart[] | null | undefined;
  files: readonly FilePart[] | null | undefined;
}) {
  return (
    <div className="flex flex-col items-end" data-role="user">
      {images && images.length > 0 && <MessageImages images={images} className="mb-1.5" />}
      {files && files.length > 0 && <MessageFiles files={files} className="mb-1.5" />}
      {text && <UserBubble text={text} />}
    </div>
  );
}
