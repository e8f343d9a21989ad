import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { AttachmentProblems } from "./AttachmentProblems";
import { SendStopButton } from "./SendStopButton";
import { VisionNotice } from "./VisionNotice";

describe("AttachmentProblems", () => {
  it("says why each file was not attached, and goes when dismissed", () => {
    const onDismiss = vi.fn();
    render(
      <AttachmentProblems
        problems={[
          { kind: "pdf", name: "doc.pdf" },
          { kind: "count", name: "3" },
        ]}
        onDismiss={onDismiss}
      />,
    );
    const items = screen.getAllByRole("listitem").map((li) => li.textContent);
    expect(items[0]).toContain("doc.pdf");
    expect(items[1]).toContain("16");
    expect(screen.getByRole("alert")).toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Dismiss" }));
    expect(onDismiss).toHaveBeenCalledOnce();
  });
});

describe("VisionNotice", () => {
  it("is a calm status for images already in the conversation, an alert for attached ones", () => {
    const { rerender } = render(<VisionNotice id="n" model="Mistral Small" history />);
    expect(screen.getByRole("status")).toHaveTextContent("Mistral Small");
    expect(screen.queryByRole("alert")).toBeNull();
    rerender(<VisionNotice id="n" model="Mistral Small" history={false} />);
    expect(screen.getByRole("alert")).toHaveTextContent("Mistral Small");
  });
});

describe("SendStopButton", () => {
  it("is Stop while streaming and Send otherwise, off until there is something to send", () => {
    const onStop = vi.fn();
    const { rerender } = render(<SendStopButton streaming canSend={false} onStop={onStop} />);
    fireEvent.click(screen.getByRole("button", { name: "Stop generating" }));
    expect(onStop).toHaveBeenCalledOnce();
    rerender(<SendStopButton streaming={false} canSend={false} onStop={onStop} describedBy="why" />);
    const send = screen.getByRole("button", { name: "Send message" });
    expect(send).toBeDisabled();
    expect(send).toHaveAttribute("aria-describedby", "why");
    rerender(<SendStopButton streaming={false} canSend onStop={onStop} />);
    expect(screen.getByRole("button", { name: "Send message" })).toBeEnabled();
  });
});
