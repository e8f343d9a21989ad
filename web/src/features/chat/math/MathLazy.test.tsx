import { render, screen } from "@testing-library/react";
import { Profiler } from "react";
import { describe, expect, it } from "vitest";
import { Markdown } from "../Markdown";

// A file of its own, so the math module starts unloaded as it does in the app.
describe("lazy math", () => {
  it("renders the answer at once, then its formulas when math support has arrived", async () => {
    let plainRenders = 0;
    const { container } = render(
      <>
        <Profiler id="plain" onRender={() => (plainRenders += 1)}>
          <Markdown text={"Just **words**."} />
        </Profiler>
        <div data-testid="math">
          <Markdown text={"Energy: $E = mc^2$."} />
        </div>
      </>,
    );
    expect(screen.getByText(/Energy:/)).toBeInTheDocument();
    expect(container.querySelector(".katex")).toBeNull();
    await screen.findByText((_, el) => el?.classList.contains("katex") ?? false);
    expect(screen.getByTestId("math").querySelector('annotation[encoding="application/x-tex"]')).toHaveTextContent(
      "E = mc^2",
    );
    // The arrival of math support re-rendered only the answer that has math.
    expect(plainRenders).toBe(1);
    expect(container).toHaveTextContent("Just words.");
  });
});
