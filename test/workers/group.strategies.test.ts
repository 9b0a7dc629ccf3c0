/** Who answers in a group session: each strategy, seeded, as SillyTavern's group chats decide it. */
import { describe, expect, it } from "vitest";
import { pickSpeakers, talkativenessOf, type GroupMember, type SpeakerDraw } from "../../workers/chat/group-speakers";

const member = (id: string, name: string, talkativeness = 0.5): GroupMember => ({ id, name, talkativeness });
const ALICE = member("alice", "Alice Liddell");
const BOB = member("bob", "Bob");
const CAROL = member("carol", "Carol");
const MUTE = (m: GroupMember) => ({ ...m, talkativeness: 0 });

const draw = (overrides: Partial<SpeakerDraw>): SpeakerDraw => ({
  members: [ALICE, BOB, CAROL],
  strategy: "natural",
  allowSelfResponses: false,
  text: "Hello everyone.",
  userInput: true,
  spokenSinceUser: [],
  seed: "seed-1",
  ...overrides,
});

describe("natural", () => {
  it("puts the members the text names first, in the order it names them, by whole words of their names", () => {
    const members = [ALICE, BOB, CAROL].map(MUTE);
    expect(pickSpeakers(draw({ members, text: "Carol, what does alice think?" }))).toEqual(["carol", "alice"]);
    // "Bobby" is not "Bob", and "Liddell" names Alice.
    expect(pickSpeakers(draw({ members, text: "Bobby met Liddell." }))).toEqual(["alice"]);
  });

  it("then draws by talkativeness: 1 always speaks, 0 never does unless someone must", () => {
    const members = [member("alice", "Alice", 1), member("bob", "Bob", 0), member("carol", "Carol", 1)];
    for (let i = 0; i < 20; i++) {
      const speakers = pickSpeakers(draw({ members, seed: `s${i}` }));
      expect(speakers.sort()).toEqual(["alice", "carol"]);
    }
    const mute = [ALICE, BOB, CAROL].map(MUTE);
    const counts = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const speakers = pickSpeakers(draw({ members: mute, seed: `m${i}` }));
      expect(speakers).toHaveLength(1);
      counts.set(speakers[0]!, (counts.get(speakers[0]!) ?? 0) + 1);
    }
    // At least one, picked at random among all: each gets a fair share.
    for (const id of ["alice", "bob", "carol"]) expect(counts.get(id)).toBeGreaterThan(60);
  });

  it("draws about talkativeness x members speakers, the same for the same seed", () => {
    let total = 0;
    for (let i = 0; i < 400; i++) total += pickSpeakers(draw({ seed: `t${i}` })).length;
    // 0.5 x 3 = 1.5 on average, a little more since no draw ends with nobody (1/8 of them get one).
    expect(total / 400).toBeGreaterThan(1.45);
    expect(total / 400).toBeLessThan(1.8);
    expect(pickSpeakers(draw({ seed: "same" }))).toEqual(pickSpeakers(draw({ seed: "same" })));
  });

  it("keeps the last speaker from answering itself when the text is not the user's, unless self-responses are allowed", () => {
    const members = [member("alice", "Alice", 1), member("bob", "Bob", 1)];
    const next = { members, userInput: false, lastSpeaker: "alice", text: "Alice said so." };
    for (let i = 0; i < 20; i++) expect(pickSpeakers(draw({ ...next, seed: `n${i}` }))).toEqual(["bob"]);
    expect(pickSpeakers(draw({ ...next, allowSelfResponses: true }))).toContain("alice");
    // The user's own message may name the last speaker: it answers.
    expect(pickSpeakers(draw({ ...next, userInput: true, members: members.map(MUTE) }))).toEqual(["alice"]);
  });
});

describe("list, pooled, manual, and a named member", () => {
  it("list: every member, in order; for a `next`, from the one after the last speaker", () => {
    expect(pickSpeakers(draw({ strategy: "list", text: "Carol first?" }))).toEqual(["alice", "bob", "carol"]);
    expect(pickSpeakers(draw({ strategy: "list", userInput: true, lastSpeaker: "alice" }))).toEqual(["alice", "bob", "carol"]);
    expect(pickSpeakers(draw({ strategy: "list", userInput: false, lastSpeaker: "bob" }))).toEqual(["carol", "alice", "bob"]);
    expect(pickSpeakers(draw({ strategy: "list", userInput: false, lastSpeaker: "carol" }))).toEqual(["alice", "bob", "carol"]);
  });

  it("pooled: one member who has not spoken since the user; when all have, any but the last speaker", () => {
    for (let i = 0; i < 20; i++) {
      expect(pickSpeakers(draw({ strategy: "pooled", spokenSinceUser: ["bob", "alice"], seed: `p${i}` }))).toEqual(["carol"]);
      const picked = pickSpeakers(draw({ strategy: "pooled", spokenSinceUser: ["carol", "bob", "alice"], lastSpeaker: "carol", seed: `q${i}` }));
      expect(picked).toHaveLength(1);
      expect(picked[0]).not.toBe("carol");
    }
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) seen.add(pickSpeakers(draw({ strategy: "pooled", seed: `r${i}` }))[0]!);
    expect([...seen].sort()).toEqual(["alice", "bob", "carol"]);
  });

  it("manual: only the named member; no one when none is named", () => {
    expect(pickSpeakers(draw({ strategy: "manual", text: "Bob?" }))).toEqual([]);
    expect(pickSpeakers(draw({ strategy: "manual", named: "bob" }))).toEqual(["bob"]);
  });

  it("a named member answers alone, whatever the strategy", () => {
    for (const strategy of ["natural", "list", "pooled", "manual"] as const) {
      expect(pickSpeakers(draw({ strategy, named: "carol", text: "Alice and Bob?" }))).toEqual(["carol"]);
    }
  });

  it("reads talkativeness from a card's extensions (SillyTavern stores it as text), clamped, 0.5 by default", () => {
    expect(talkativenessOf({})).toBe(0.5);
    expect(talkativenessOf({ talkativeness: "0.8" })).toBe(0.8);
    expect(talkativenessOf({ talkativeness: 3 })).toBe(1);
    expect(talkativenessOf({ talkativeness: "loud" })).toBe(0.5);
  });
});
