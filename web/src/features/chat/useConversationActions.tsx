import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router";
import { toast } from "sonner";
import {
  useDeleteConversationMutation,
  useExportConversationMutation,
  useRenameConversationMutation,
  useStarConversationMutation,
} from "@/api/endpoints";
import type { ConversationSummary } from "@/api/types";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { downloadText } from "@/lib/download";
import { ConversationSettingsDialog } from "./ConversationSettingsDialog";

/** What a conversation's menu needs to know about it. */
export type ConversationRef = Pick<ConversationSummary, "id" | "title" | "pinned">;

export type ExportFormat = "markdown" | "json";

export interface ConversationActions {
  star: (c: ConversationRef) => void;
  exportAs: (c: ConversationRef, format: ExportFormat) => void;
  /** Open the rename dialog. */
  rename: (c: ConversationRef) => void;
  /** Open the settings dialog (system prompt, temperature, max output tokens). */
  settings: (c: ConversationRef) => void;
  /** Ask for confirmation, then delete. */
  remove: (c: ConversationRef) => void;
  /** The dialogs these actions open: render once, next to the menus that use them. */
  dialogs: ReactNode;
}

/**
 * Everything a conversation's "…" menu does, in one place for every menu that shows it (the
 * sidebar rows and the chat header): the requests, the toasts, and the rename, settings and
 * delete dialogs. Deleting the open conversation goes to a new chat.
 */
export function useConversationActions({
  onStarred,
}: {
  /** After the star changed on the server (the sidebar moves the keyboard with the row). */
  onStarred?: (c: ConversationRef, pinned: boolean) => void;
} = {}): ConversationActions {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { conversationId } = useParams();
  const [renameMutation, { isLoading: renaming }] = useRenameConversationMutation();
  const [deleteMutation, { isLoading: deleting }] = useDeleteConversationMutation();
  const [starMutation] = useStarConversationMutation();
  const [exportMutation] = useExportConversationMutation();
  const [renameTarget, setRenameTarget] = useState<ConversationRef | null>(null);
  const [title, setTitle] = useState("");
  const [deleteTarget, setDeleteTarget] = useState<ConversationRef | null>(null);
  const [settingsId, setSettingsId] = useState<string | null>(null);

  const star = async (c: ConversationRef) => {
    const pinned = !c.pinned;
    const res = await starMutation({ id: c.id, pinned });
    if ("error" in res) {
      toast.error(t("sidebar.starFailed"));
      return;
    }
    onStarred?.(c, pinned);
  };
  const exportAs = async (c: ConversationRef, format: ExportFormat) => {
    const res = await exportMutation({ id: c.id, format });
    if ("error" in res || !res.data) {
      toast.error(t("sidebar.exportFailed"));
      return;
    }
    downloadText(res.data.filename, res.data.text, res.data.type);
    toast.success(t("sidebar.exported", { filename: res.data.filename }));
  };

  const dialogs = (
    <>
      <Dialog open={renameTarget !== null} onOpenChange={(o) => !o && setRenameTarget(null)}>
        <DialogContent title={t("sidebar.renameTitle")}>
          <form
            onSubmit={async (e) => {
              e.preventDefault();
              if (!renameTarget || !title.trim()) return;
              const res = await renameMutation({ id: renameTarget.id, title: title.trim() });
              if ("error" in res) toast.error(t("common.error"));
              else toast.success(t("sidebar.renamed"));
              setRenameTarget(null);
            }}
          >
            <Input value={title} onChange={(e) => setTitle(e.target.value)} aria-label={t("common.rename")} autoFocus maxLength={200} />
            <div className="mt-4 flex justify-end gap-2">
              <Button type="button" variant="ghost" onClick={() => setRenameTarget(null)}>
                {t("common.cancel")}
              </Button>
              <Button type="submit" disabled={renaming || !title.trim()}>
                {t("common.save")}
              </Button>
            </div>
          </form>
        </DialogContent>
      </Dialog>

      <Dialog open={deleteTarget !== null} onOpenChange={(o) => !o && setDeleteTarget(null)}>
        <DialogContent
          title={t("sidebar.deleteTitle")}
          description={t("sidebar.deleteBody", { title: deleteTarget?.title || t("sidebar.untitled") })}
        >
          <div className="flex justify-end gap-2">
            <Button variant="ghost" onClick={() => setDeleteTarget(null)}>
              {t("common.cancel")}
            </Button>
            <Button
              variant="danger"
              disabled={deleting}
              data-testid="confirm-delete"
              onClick={async () => {
                if (!deleteTarget) return;
                const res = await deleteMutation(deleteTarget.id);
                if ("error" in res) toast.error(t("common.error"));
                else {
                  toast.success(t("sidebar.deleted"));
                  if (conversationId === deleteTarget.id) navigate("/");
                }
                setDeleteTarget(null);
              }}
            >
              {t("common.delete")}
            </Button>
          </div>
        </DialogContent>
      </Dialog>

      <ConversationSettingsDialog conversationId={settingsId} onOpenChange={(o) => !o && setSettingsId(null)} />
    </>
  );

  return {
    star: (c) => void star(c),
    exportAs: (c, format) => void exportAs(c, format),
    rename: (c) => {
      setTitle(c.title ?? "");
      setRenameTarget(c);
    },
    settings: (c) => setSettingsId(c.id),
    remove: setDeleteTarget,
    dialogs,
  };
}
