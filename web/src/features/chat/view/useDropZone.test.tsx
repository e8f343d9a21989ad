import { createEvent, fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { useDropZone } from "./useDropZone";

function Zone({ onFiles }: { onFiles: (files: File[]) => void }) {
  const { dragging, dropHandlers } = useDropZone(onFiles);
  return (
    <div data-testid="zone" {...dropHandlers}>
      <span data-testid="child">{dragging ? "dragging" : "idle"}</span>
    </div>
  );
}

const files = (list: File[] = []) => ({ dataTransfer: { types: ["Files"], files: list, dropEffect: "none" } });

describe("useDropZone", () => {
  it("is dragging until the pointer really leaves, crossing children on the way", () => {
    render(<Zone onFiles={vi.fn()} />);
    const zone = screen.getByTestId("zone");
    const child = screen.getByTestId("child");
    fireEvent.dragEnter(zone, files());
    fireEvent.dragEnter(child, files());
    expect(child).toHaveTextContent("dragging");
    fireEvent.dragLeave(child, files());
    expect(child).toHaveTextContent("dragging");
    fireEvent.dragLeave(zone, files());
    expect(child).toHaveTextContent("idle");
  });

  it("hands over the dropped files and stops dragging", () => {
    const onFiles = vi.fn();
    render(<Zone onFiles={onFiles} />);
    const zone = screen.getByTestId("zone");
    const photo = new File(["x"], "cat.png", { type: "image/png" });
    fireEvent.dragEnter(zone, files());
    fireEvent.drop(zone, files([photo]));
    expect(onFiles).toHaveBeenCalledWith([photo]);
    expect(screen.getByTestId("child")).toHaveTextContent("idle");
  });

  it("ignores a drag of text, which is not files", () => {
    const onFiles = vi.fn();
    render(<Zone onFiles={onFiles} />);
    const zone = screen.getByTestId("zone");
    fireEvent.dragEnter(zone, { dataTransfer: { types: ["text/plain"], files: [] } });
    fireEvent.drop(zone, { dataTransfer: { types: ["text/plain"], files: [] } });
    expect(screen.getByTestId("child")).toHaveTextContent("idle");
    expect(onFiles).not.toHaveBeenCalled();
  });

  it("keeps the browser from opening a file dropped beside the zone", () => {
    render(<Zone onFiles={vi.fn()} />);
    const beside = createEvent.drop(window, files());
    fireEvent(window, beside);
    expect(beside.defaultPrevented).toBe(true);
    const text = createEvent.drop(window, { dataTransfer: { types: ["text/plain"], files: [] } });
    fireEvent(window, text);
    expect(text.defaultPrevented).toBe(false);
  });
});
