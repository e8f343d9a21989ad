import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { CustomInstructions } from "./CustomInstructions";
import { MAX_INSTRUCTIONS, charCount } from "./instructions";

function setup(saved = "", ok = true) {
  const onSave = vi.fn((_value: string | null) => Promise.resolve(ok));
  const view = render(<CustomInstructions saved={saved} onSave={onSave} />);
  const box = screen.getByRole("textbox", { name: "Custom instructions" });
  const save = screen.getByRole("button", { name: "Save instructions" });
  return { onSave, box, save, view };
}

describe("custom instructions", () => {
  it("shows what is saved, counts characters, and saves the trimmed text", async () => {
    const { onSave, box, save } = setup("Be brief.");
    expect(box).toHaveValue("Be brief.");
    expect(screen.getByText("9 / 10,000 characters")).toBeInTheDocument();
    expect(save).toBeDisabled(); // nothing changed yet
    fireEvent.change(box, { target: { value: "  Answer in French.\n" } });
    expect(screen.getByText("20 / 10,000 characters")).toBeInTheDocument();
    fireEvent.click(save);
    await waitFor(() => expect(onSave).toHaveBeenCalledWith("Answer in French."));
    await waitFor(() => expect(box).toHaveValue("Answer in French."));
  });

  it("clearing the box removes the instructions (null, not an empty prompt)", async () => {
    const { onSave, box, save } = setup("Be brief.");
    fireEvent.change(box, { target: { value: "   " } });
    fireEvent.click(save);
    await waitFor(() => expect(onSave).toHaveBeenCalledWith(null));
  });

  it("over the limit: says how much to remove and cannot be saved", () => {
    const { onSave, box, save } = setup();
    fireEvent.change(box, { target: { value: "x".repeat(MAX_INSTRUCTIONS + 12) } });
    expect(screen.getByText("At most 10,000 characters: remove 12 to save.")).toBeInTheDocument();
    expect(box).toHaveAttribute("aria-invalid", "true");
    expect(save).toBeDisabled();
    fireEvent.submit(box.closest("form") as HTMLFormElement);
    expect(onSave).not.toHaveBeenCalled();
  });

  it("a failed save keeps what was typed", async () => {
    const { onSave, box, save } = setup("", false);
    fireEvent.change(box, { target: { value: "  Use metric units. " } });
    fireEvent.click(save);
    await waitFor(() => expect(onSave).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(save).not.toBeDisabled());
    expect(box).toHaveValue("  Use metric units. ");
  });

  it("follows the profile when it arrives after the first render", () => {
    const { box, view } = setup("");
    view.rerender(<CustomInstructions saved="From the server" onSave={() => Promise.resolve(true)} />);
    expect(box).toHaveValue("From the server");
  });

  it("counts an emoji as one character, as the server does", () => {
    expect(charCount("ok 👍")).toBe(4);
  });
});
