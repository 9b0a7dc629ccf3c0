import { describe, expect, it } from "vitest";
import { CHUNK_MAX_CHARS, CJK_CHAR_WEIGHT, FIRST_CHUNK_MAX_CHARS, FIRST_CHUNK_MIN_CHARS, SpeechChunker } from "../../workers/voice/chunker";

/** The chunks of a reply fed as these deltas, then flushed. */
function chunksOf(deltas: string[]): string[] {
  const chunker = new SpeechChunker();
  return [...deltas.flatMap((delta) => chunker.push(delta)), ...chunker.flush()];
}

const whole = (text: string) => chunksOf([text]);
const byCharacter = (text: string) => chunksOf([...text]);

/** Deltas of 1 to 7 characters, cut anywhere (mid-word too), the same for the same seed. */
function bySplits(text: string, seed: number): string[] {
  const characters = [...text];
  const deltas: string[] = [];
  let state = seed;
  for (let at = 0; at < characters.length; ) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const size = 1 + (state % 7);
    deltas.push(characters.slice(at, at + size).join(""));
    at += size;
  }
  return chunksOf(deltas);
}

// Nothing said is lost, doubled or moved: the chunks put back together are the text, but for spaces,
// markdown and emoji (a run of emoji with nothing to say may be dropped).
const bare = (text: string) => text.replace(/[\s*`\u200d]|\p{Extended_Pictographic}/gu, "");
const SPEAKABLE = /[\p{L}\p{N}]/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe("speech chunker: sentences", () => {
  // Each guarded "." stands past FIRST_CHUNK_MIN_CHARS, where an unguarded segmenter would end the first chunk.
  it.each([
    ["Mr.", "Late last night we spoke for a long while with Mr. Holmes about his violin.", "Then we slept."],
    ["Dr.", "Late last night we spoke for a long while with Dr. Watson about the case.", "Then we slept."],
    ["St.", "Late last night we walked for a long while down St. Mary's Road to the bridge.", "Then we slept."],
    ["vs.", "Tonight the old champion fights the young one at last: Smith vs. Jones.", "Come and watch."],
    ["e.g.", "We could take something small with us for the long road, e.g. Apples or bread.", "Then we go."],
    ["i.e.", "We really should leave before the tide turns in the bay, i.e. Before nine.", "Hurry."],
    ["etc.", "He packed the lamps, the ropes, the maps, the boots, etc. And he left at dawn.", "Nobody saw."],
    ["J. R. R.", "Late last night by the fire we read some old stories of J. R. R. Tolkien aloud.", "Then we slept."],
  ])("does not end a sentence at %s", (abbreviation, first, rest) => {
    expect(first.indexOf(abbreviation) + abbreviation.length).toBeGreaterThanOrEqual(FIRST_CHUNK_MIN_CHARS);
    expect(first.length).toBeLessThanOrEqual(FIRST_CHUNK_MAX_CHARS);
    expect(whole(`${first} ${rest}`)).toEqual([first, rest]);
  });

  it("keeps decimals and versions whole", () => {
    const first = "The potion costs exactly 3.14 gold, and version v2.0 of the recipe is better.";
    expect(whole(`${first} Try it.`)).toEqual([first, "Try it."]);
    expect(byCharacter(`${first} Try it.`)).toEqual([first, "Try it."]);
  });

  it("does not end a sentence at an ellipsis", () => {
    expect(whole("I waited for you by the river all night long... But you never came. So I left.")).toEqual([
      "I waited for you by the river all night long... But you never came.",
      "So I left.",
    ]);
  });

  it("keeps closing quotes and brackets with their sentence, and a dialogue tag with its quote", () => {
    expect(whole('The old guard looked at me and whispered "Stop." Then he pointed at the gate. We ran.')).toEqual([
      'The old guard looked at me and whispered "Stop."',
      "Then he pointed at the gate. We ran.",
    ]);
    expect(whole("(He left quietly through the back door of the tavern at night.) And nobody saw him go.")).toEqual([
      "(He left quietly through the back door of the tavern at night.)",
      "And nobody saw him go.",
    ]);
    expect(whole('"Run to the northern gate right now and do not look back!" she cried. We ran.')).toEqual([
      '"Run to the northern gate right now and do not look back!" she cried.',
      "We ran.",
    ]);
  });

  it("never makes a chunk of emoji or punctuation alone, and never splits an emoji", () => {
    const text = "I am so happy to see you again after all these years! 😀 Come in and sit by the fire with me. 🎉🎉🎉";
    expect(whole(text)).toEqual(["I am so happy to see you again after all these years!", "😀 Come in and sit by the fire with me. 🎉🎉🎉"]);
    expect(whole("😀🎉")).toEqual([]);
    expect(whole("... !!! —")).toEqual([]);
    // A run of emoji longer than a chunk (a family is 11 UTF-16 units), then words.
    const family = "👨‍👩‍👧‍👦";
    const chunks = whole(`${family.repeat(30)} and then we all went home together, happy and tired. The end.`);
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) {
      expect(chunk).toMatch(SPEAKABLE);
      expect(chunk).not.toMatch(LONE_SURROGATE);
      expect(chunk.replaceAll(family, "")).not.toContain("\u200d");
    }
  });

  it("ends CJK sentences at 。！？ and counts a CJK character as CJK_CHAR_WEIGHT", () => {
    const chinese = "你好。我是小明！你呢？今天天气很好，我们去公园散步吧。公园里有很多花，红的、黄的、白的，非常漂亮。我们还可以在湖边坐一会儿，看看鸭子。";
    expect(whole(chinese)).toEqual([
      "你好。我是小明！你呢？今天天气很好，我们去公园散步吧。",
      "公园里有很多花，红的、黄的、白的，非常漂亮。我们还可以在湖边坐一会儿，看看鸭子。",
    ]);
    const japanese = "こんにちは。今日はとても良い天気ですね！一緒に公園を散歩しませんか？湖のそばで少し休みましょう。";
    expect(whole(japanese)).toEqual(["こんにちは。今日はとても良い天気ですね！", "一緒に公園を散歩しませんか？湖のそばで少し休みましょう。"]);
    // No punctuation at all: cut at a character count.
    const [first, ...rest] = whole("我们".repeat(60));
    expect(first).toHaveLength(Math.floor(FIRST_CHUNK_MAX_CHARS / CJK_CHAR_WEIGHT));
    expect(rest[0]).toHaveLength(Math.floor(CHUNK_MAX_CHARS / CJK_CHAR_WEIGHT));
  });

  it("drops the markdown a voice would spell out, keeping the words", () => {
    const chunks = whole("*smiles warmly* Welcome, traveler! Here is the `map` you asked for.\n```js\nconst x = 1;\n```\nDone.");
    expect(chunks).toEqual(["smiles warmly Welcome, traveler! Here is the map you asked for.", "js const x = 1; Done."]);
  });
});

describe("speech chunker: sizes", () => {
  it("makes the first chunk the first sentence end past FIRST_CHUNK_MIN_CHARS, as soon as the next sentence starts", () => {
    const chunker = new SpeechChunker();
    expect(chunker.push("Hello there! How are you today? I have been waiting for you all morning.")).toEqual([]);
    expect(chunker.push(" ")).toEqual([]);
    expect(chunker.push("L")).toEqual(["Hello there! How are you today? I have been waiting for you all morning."]);
    expect(chunker.push("et us go.")).toEqual([]);
    expect(chunker.flush()).toEqual(["Let us go."]);
  });

  it("cuts a long first sentence at a clause", () => {
    expect(whole("When the moon rises over the silent hills and the wolves begin to sing, we will ride out together toward the sea.")).toEqual([
      "When the moon rises over the silent hills and the wolves begin to sing,",
      "we will ride out together toward the sea.",
    ]);
    expect(whole("The road to the north is long and very cold — but the inn at its end has the best soup in the land.")[0]).toBe(
      "The road to the north is long and very cold —",
    );
  });

  it("does not wait for a period that never comes", () => {
    const words = Array.from({ length: 120 }, (_, i) => ["river", "stone", "lantern", "quiet", "wind"][i % 5]!);
    const chunker = new SpeechChunker();
    let sent = "";
    let first: string[] = [];
    for (const word of words) {
      sent += `${word} `;
      first = chunker.push(`${word} `);
      if (first.length) break;
    }
    expect(first).toHaveLength(1);
    expect(sent.length).toBeLessThanOrEqual(FIRST_CHUNK_MAX_CHARS + "lantern ".length);
    expect(first[0]!.length).toBeGreaterThanOrEqual(FIRST_CHUNK_MIN_CHARS);
    expect(first[0]!.length).toBeLessThanOrEqual(FIRST_CHUNK_MAX_CHARS);
    expect(`${sent.trim()} `.startsWith(`${first[0]} `)).toBe(true);

    const text = words.join(" ");
    const chunks = whole(text);
    expect(chunks[0]).toBe(first[0]);
    expect(chunks.join(" ")).toBe(text);
    for (const chunk of chunks.slice(1)) expect(chunk.length).toBeLessThanOrEqual(CHUNK_MAX_CHARS);
  });

  it("merges later sentences up to CHUNK_MAX_CHARS", () => {
    const sentences = Array.from({ length: 7 }, (_, i) => `Wave number ${i + 1} rolls along the shore and counts the shells it finds there, one by one.`);
    const text = `Hello, my friend. Let me tell you about the sea. ${sentences.join(" ")}`;
    const chunks = whole(text);
    expect(chunks[0]).toBe("Hello, my friend. Let me tell you about the sea.");
    expect(chunks.slice(1)).toEqual([sentences.slice(0, 2).join(" "), sentences.slice(2, 4).join(" "), sentences.slice(4, 6).join(" "), sentences[6]]);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(CHUNK_MAX_CHARS);
  });

  it("cuts a sentence longer than CHUNK_MAX_CHARS at a clause, else at a word", () => {
    const clauses = Array.from({ length: 8 }, (_, i) => `the ${i + 1}th bell rang over the valley`).join(", ");
    const long = `We listened quietly to the bells for a very long time. And ${clauses}.`;
    const [, ...later] = whole(long);
    expect(later[0]!.length).toBeLessThanOrEqual(CHUNK_MAX_CHARS);
    expect(later[0]!.endsWith(",")).toBe(true);
    expect(later.join(" ")).toBe(long.slice(long.indexOf("And")));

    const plain = `We listened quietly to the bells for a very long time. And ${"the bells rang on ".repeat(20)}forever.`;
    const [, ...words] = whole(plain);
    expect(words[0]!.length).toBeLessThanOrEqual(CHUNK_MAX_CHARS);
    expect(words[0]!.length).toBeGreaterThan(CHUNK_MAX_CHARS - "bells ".length);
    expect(words.join(" ")).toBe(plain.slice(plain.indexOf("And")));
  });
});

describe("speech chunker: streaming", () => {
  const replies = [
    'Mr. Smith met Dr. Jones at 3.14 p.m. on St. Mark St. yesterday, and they talked about v2.0 of the plan. It was fine. Then e.g. apples, i.e. fruit, etc. were discussed. J. R. R. Tolkien was mentioned too. He said "Stop." Then he left. Wait... What? Really?! Yes.',
    "I think that the thing you are looking for is somewhere in the old library near the river and the mill where we used to play when we were children long ago",
    "你好。我是小明！你呢？今天天气很好，我们去公园散步吧。公园里有很多花，红的、黄的、白的，非常漂亮。我们还可以在湖边坐一会儿，看看鸭子。",
    "*waves* Hello there 😀! I am so glad you came.\n\nHere is the list:\n- bread\n- wine\n- cheese\n``` code ``` Honestly, that is all we need for the long winter night ahead of us, my dear friend, so let us go now.",
    `${"👨‍👩‍👧‍👦".repeat(12)} ${"Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(12)}`,
  ];

  it.each(replies.map((reply, i) => [i, reply]))("gives reply %i the same chunks however its deltas are split", (_, reply) => {
    const expected = whole(reply);
    expect(expected.length).toBeGreaterThan(1);
    expect(byCharacter(reply)).toEqual(expected);
    for (const seed of [1, 2, 3, 42]) expect(bySplits(reply, seed)).toEqual(expected);
    expect(bare(expected.join(""))).toBe(bare(reply));
    for (const chunk of expected) {
      expect(chunk).toBe(chunk.trim());
      expect(chunk).toMatch(SPEAKABLE);
    }
  });

  it("flushes what remains once, then takes no more", () => {
    const chunker = new SpeechChunker();
    expect(chunker.push("Hi. Yes. ")).toEqual([]);
    expect(chunker.push("Ok.")).toEqual([]);
    expect(chunker.flush()).toEqual(["Hi. Yes. Ok."]);
    expect(chunker.flush()).toEqual([]);
    expect(chunker.push("More text that comes too late to be said by anyone at all, ever, really.")).toEqual([]);
    expect(new SpeechChunker().flush()).toEqual([]);
    expect(whole("   \n\t ")).toEqual([]);
  });

  it("drops the rest at cancel", () => {
    const chunker = new SpeechChunker();
    expect(chunker.push("I have been waiting for you all morning by the old gate. Where")).toEqual([
      "I have been waiting for you all morning by the old gate.",
    ]);
    chunker.cancel();
    expect(chunker.push(" were you? I looked for you everywhere, in every room of the house.")).toEqual([]);
    expect(chunker.flush()).toEqual([]);
  });
});
