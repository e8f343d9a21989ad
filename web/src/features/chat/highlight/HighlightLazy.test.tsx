import { render, screen, waitFor } from "@testing-library/react";
import { Profiler } from "react";
import { describe, expect, it } from "vitest";
import { Markdown } from "../Markdown";
import { mightNeedHighlight } from "./loader";

// A file of its own, so the highlighter starts unloaded as it does in the app.
describe("lazy syntax highlighting", () => {
  it("shows the code at once as plain text, then coloured, without touching other answers", async () => {
    let plainRenders = 0;
    render(
      <>
        <Profiler id="plain" onRender={() => (plainRenders += 1)}>
          <Markdown text={"Just **words**, and `inline()` code."} />
        </Profiler>
        <div data-testid="code">
          <Markdown text={"```python\ndef greet():\n    return 'hi'\n```"} />
        </div>
      </>,
    );
    const code = () => screen.getByTestId("code").querySelector("pre code");
    // Readable before the highlighter arrives: the whole source, no colour spans yet.
    expect(code()).toHaveTextContent("def greet(): return 'hi'");
    expect(code()?.querySelector(".hljs-keyword")).toBeNull();
    await waitFor(() => expect(code()?.querySelector(".hljs-keyword")).toHaveTextContent("def"));
    expect(code()).toHaveTextContent("def greet(): return 'hi'");
    expect(screen.getByText("python")).toBeInTheDocument();
    // The highlighter's arrival re-rendered only the answer with code.
    expect(plainRenders).toBe(1);
  });

  it("loads only for fences that name a language", () => {
    expect(mightNeedHighlight("```ts\nconst a = 1;\n```")).toBe(true);
    expect(mightNeedHighlight("Intro\n\n  ~~~ python\nx = 1")).toBe(true);
    expect(mightNeedHighlight("```\nno language\n```")).toBe(false);
    expect(mightNeedHighlight("```math\nx^2\n```")).toBe(false);
    expect(mightNeedHighlight("Use `npm ci` then ```ts inline is not a fence.")).toBe(false);
    expect(mightNeedHighlight("Plain answer with no code at all.")).toBe(false);
  });
});
