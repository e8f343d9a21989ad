import { describe, expect, it } from "vitest";
import { groupByDate } from "./dateGroups";

const conv = (id: string, updated: Date) => ({
  id,
  title: id,
  provider: null,
  model: null,
  created_at: updated.toISOString(),
  updated_at: updated.toISOString(),
});

describe("groupByDate", () => {
  it("buckets conversations into Today, Yesterday, Previous 7 days and Older", () => {
    const now = new Date(2026, 10, 21, 15, 0);
    const groups = groupByDate(
      [
        conv("old", new Date(2026, 9, 1)),
        conv("today", new Date(2026, 10, 21, 9, 0)),
        conv("week", new Date(2026, 10, 17)),
        conv("yesterday", new Date(2026, 10, 20, 23, 0)),
      ],
      now,
    );
    expect(groups.map((g) => [g.group, g.items.map((c) => c.id)])).toEqual([
      ["today", ["today"]],
      ["yesterday", ["yesterday"]],
      ["previous7", ["week"]],
      ["older", ["old"]],
    ]);
  });
});
