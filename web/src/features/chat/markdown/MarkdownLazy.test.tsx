import { render, screen } from "@testing-library/react";
import { Profiler } from "react";
import { describe, expect, it, vi } from "vitest";

// The test setup preloads the pipeline, as main.tsx does; fresh modules start without it.
describe("lazy Markdown pipeline", () => {
  it("draws plain prose at once and Markdown as source, then formatted when the pipeline arrives", async () => {
    vi.resetModules();
    const { Markdown } = await import("../Markdown");
    let plainRenders = 0;
    const { container } = render(
      <>
        <Profiler id="plain" onRender={() => (plainRenders += 1)}>
          <div data-testid="plain">
            <Markdown text={"Just words.\n\nTwo paragraphs."} />
          </div>
        </Profiler>
        <div data-testid="rich">
          <Markdown text={"Hello **world**"} />
        </div>
      </>,
    );
    expect(screen.getByTestId("plain").querySelectorAll("p")).toHaveLength(2);
    // Before the pipeline: the source, readable, nothing formatted yet.
    expect(screen.getByTestId("rich")).toHaveTextContent("Hello **world**");
    expect(container.querySelector("strong")).toBeNull();
    expect((await screen.findByText("world")).tagName).toBe("STRONG");
    expect(screen.getByTestId("rich")).toHaveTextContent(/^Hello world$/);
    // Its arrival re-rendered only the answer that needed it.
    expect(plainRenders).toBe(1);
  });
});
