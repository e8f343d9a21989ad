import { describe, expect, it } from "vitest";
import { parseSse } from "./sse";

describe("parseSse", () => {
  it("parses named events and keeps an unfinished tail for the next chunk", () => {
    const first = parseSse('event: start\ndata: {"conversation_id":1}\n\nevent: delta\ndata: {"te');
    expect(first.events).toEqual([{ event: "start", data: { conversation_id: 1 } }]);
    const second = parseSse(first.rest + 'xt":"Hi"}\n\n');
    expect(second.events).toEqual([{ event: "delta", data: { text: "Hi" } }]);
    expect(second.rest).toBe("");
  });

  it("ignores comments and accepts CRLF line ends", () => {
    const { events } = parseSse(': keep-alive\r\n\r\nevent: done\r\ndata: {"status":"complete"}\r\n\r\n');
    expect(events).toEqual([{ event: "done", data: { status: "complete" } }]);
  });
});
