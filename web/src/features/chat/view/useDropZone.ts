import { useEffect, useRef, useState, type DragEvent as ReactDragEvent } from "react";

const hasFiles = (e: { dataTransfer: DataTransfer | null }): boolean =>
  Boolean(e.dataTransfer && Array.from(e.dataTransfer.types).includes("Files"));

/**
 * Drag and drop of files anywhere on an element: `dragging` while files are held over it,
 * `onFiles` with what was dropped. Enter/leave fire for every child crossed, so a counter
 * tells when the pointer really left. A file dropped beside it (the sidebar, a margin) must
 * not make the browser leave the app to show it.
 */
export function useDropZone(onFiles: (files: File[]) => void) {
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  useEffect(() => {
    const swallow = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    window.addEventListener("dragover", swallow);
    window.addEventListener("drop", swallow);
    return () => {
      window.removeEventListener("dragover", swallow);
      window.removeEventListener("drop", swallow);
    };
  }, []);
  const dropHandlers = {
    onDragEnter: (e: ReactDragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current += 1;
      setDragging(true);
    },
    onDragOver: (e: ReactDragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
    },
    onDragLeave: (e: ReactDragEvent) => {
      if (!hasFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    },
    onDrop: (e: ReactDragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current = 0;
      setDragging(false);
      onFiles(Array.from(e.dataTransfer.files));
    },
  };
  return { dragging, dropHandlers };
}
