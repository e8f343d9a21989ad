import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { useStickToBottom } from "./useStickToBottom";

function List() {
  const { scroller, atBottom, onScroll, scrollToBottom } = useStickToBottom("1");
  return (
    <>
      <div ref={scroller} onScroll={onScroll} data-testid="list">
        <div />
      </div>
      <span data-testid="where">{atBottom ? "bottom" : "up"}</span>
      <button type="button" onClick={scrollToBottom}>
        down
      </button>
    </>
  );
}

/** jsdom has no layout: give the list a height, a content height and a scroll position. */
function layout(el: HTMLElement, scrollTop: number) {
  Object.defineProperty(el, "scrollHeight", { configurable: true, value: 1000 });
  Object.defineProperty(el, "clientHeight", { configurable: true, value: 400 });
  el.scrollTop = scrollTop;
}

describe("useStickToBottom", () => {
  it("starts at the bottom, lets go when scrolled up and counts near the end as the bottom", () => {
    render(<List />);
    const list = screen.getByTestId("list");
    expect(screen.getByTestId("where")).toHaveTextContent("bottom");
    layout(list, 100);
    fireEvent.scroll(list);
    expect(screen.getByTestId("where")).toHaveTextContent("up");
    layout(list, 540);
    fireEvent.scroll(list);
    expect(screen.getByTestId("where")).toHaveTextContent("bottom");
  });

  it("scrolls smoothly to the end when asked", () => {
    render(<List />);
    const list = screen.getByTestId("list");
    layout(list, 0);
    const scrollTo = vi.fn();
    list.scrollTo = scrollTo as unknown as typeof list.scrollTo;
    fireEvent.click(screen.getByRole("button", { name: "down" }));
    expect(scrollTo).toHaveBeenCalledWith({ top: 1000, behavior: "smooth" });
  });
});
