import { validate, version } from "uuid";
import { expect, it } from "vitest";
import { newEventId } from "../../src/core/event-id.js";

it("makes event ids that are distinct UUID v7s, in the order they were made", () => {
  const ids = Array.from({ length: 20_000 }, () => newEventId());
  for (const id of ids.slice(0, 100)) {
    expect(validate(id)).toBe(true);
    expect(version(id)).toBe(7);
  }
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.every((id, i) => i === 0 || (ids[i - 1] as string) < id)).toBe(true);
});
