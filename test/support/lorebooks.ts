import { api } from "./api";

export const LOREBOOKS = "/api/v1/lorebooks";

/** Uploads a document (an object, or raw text as it is) with the admin key unless told otherwise. */
export function upload(document: unknown, query = "", key?: string, method = "POST", path = LOREBOOKS) {
  const rawBody = typeof document === "string" ? document : JSON.stringify(document);
  return api(method, `${path}${query}`, { rawBody, key });
}

export async function lorebookIds(): Promise<string[]> {
  const res = await api("GET", LOREBOOKS);
  if (res.status !== 200) throw new Error(res.text);
  return res.json.lorebooks.map((book: { id: string }) => book.id);
}

/**
 * A SillyTavern world-info file as SillyTavern 1.12+ writes one: entries keyed by uid, every field of
 * its entry template, a regex key, entries at each kind of position, groups, timed effects, a
 * character filter, and a field SillyTavern does not know (as an extension's would be).
 */
export const sillyTavernWorld = () => ({
  entries: {
    "0": {
      uid: 0,
      key: ["Elara", "the elf"],
      keysecondary: ["forest", "glade"],
      comment: "Elara",
      content: "Elara is an elven ranger who guards the Silverwood.",
      constant: false,
      vectorized: false,
      selective: true,
      selectiveLogic: 3,
      addMemo: true,
      order: 120,
      position: 0,
      disable: false,
      ignoreBudget: false,
      excludeRecursion: true,
      preventRecursion: false,
      matchPersonaDescription: false,
      matchCharacterDescription: false,
      matchCharacterPersonality: false,
      matchCharacterDepthPrompt: false,
      matchScenario: false,
      matchCreatorNotes: false,
      delayUntilRecursion: false,
      probability: 80,
      useProbability: true,
      depth: 4,
      outletName: "",
      group: "elves,rangers",
      groupOverride: true,
      groupWeight: 60,
      scanDepth: 5,
      caseSensitive: true,
      matchWholeWords: true,
      useGroupScoring: null,
      automationId: "",
      role: null,
      sticky: 2,
      cooldown: 3,
      delay: 1,
      triggers: ["normal", "continue"],
      displayIndex: 0,
      characterFilter: { isExclude: false, names: ["Seraphina"], tags: [] },
    },
    "1": {
      uid: 1,
      key: ["/sword(s)?\\b/i", "blade"],
      keysecondary: [],
      comment: "Swords",
      content: "Silverwood blades are forged from moonsteel.",
      constant: false,
      vectorized: false,
      selective: false,
      selectiveLogic: 0,
      addMemo: true,
      order: 100,
      position: 4,
      disable: false,
      ignoreBudget: false,
      excludeRecursion: false,
      preventRecursion: true,
      delayUntilRecursion: 2,
      probability: 100,
      useProbability: false,
      depth: 2,
      outletName: "",
      group: "",
      groupOverride: false,
      groupWeight: 100,
      scanDepth: null,
      caseSensitive: null,
      matchWholeWords: null,
      useGroupScoring: true,
      automationId: "blade-hook",
      role: 1,
      sticky: null,
      cooldown: null,
      delay: null,
      triggers: [],
      displayIndex: 1,
      extensions: { "chatacter/test": { note: "kept" } },
    },
    "7": {
      uid: 7,
      key: [],
      keysecondary: [],
      comment: "World rules",
      content: "Magic in this world always has a price.",
      constant: true,
      selective: false,
      selectiveLogic: 1,
      order: 5,
      position: 1,
      disable: false,
      probability: 100,
      useProbability: true,
      depth: 4,
      group: "",
      groupOverride: false,
      groupWeight: 100,
      role: 2,
      displayIndex: 2,
      myToolField: { anything: [1, "two", null] },
    },
    "12": {
      uid: 12,
      key: ["dragon"],
      keysecondary: ["/red|black/"],
      comment: "Dragons (disabled)",
      content: "Dragons sleep beneath the mountains.",
      constant: false,
      selective: true,
      selectiveLogic: 2,
      order: 90,
      position: 3,
      disable: true,
      probability: 50,
      useProbability: true,
      depth: 4,
      role: 0,
      displayIndex: 3,
    },
  },
});

/** A V3 lorebook with the spec's fields, SillyTavern's in extensions, and fields of other applications. */
export const v3Lorebook = () => ({
  spec: "lorebook_v3",
  data: {
    name: "Silverwood",
    description: "The forest and its people",
    scan_depth: 6,
    token_budget: 900,
    recursive_scanning: false,
    extensions: { "risu/lorePlus": true },
    entries: [
      {
        keys: ["Silverwood", "the forest"],
        content: "@@depth 3\nThe Silverwood is an ancient forest.",
        extensions: { position: 4, depth: 3, role: 1, selectiveLogic: 1, group: "places", group_weight: 40, sticky: 4, display_index: 0 },
        enabled: true,
        insertion_order: 10,
        case_sensitive: false,
        use_regex: false,
        constant: false,
        name: "Silverwood",
        priority: 5,
        id: 100,
        comment: "the forest entry",
        selective: true,
        secondary_keys: ["trees"],
        position: "after_char",
        "x-other-app": { kept: true },
      },
      {
        keys: ["^moon(steel|silver)$", "/Lune/i"],
        content: "Moonsteel only shines at night.",
        extensions: {},
        enabled: false,
        insertion_order: 20,
        use_regex: true,
        constant: false,
        id: 101,
        position: "before_char",
      },
      {
        keys: ["constant"],
        content: "Always there.",
        extensions: { position: "not SillyTavern's", probability: 30, useProbability: true },
        enabled: true,
        insertion_order: 1,
        use_regex: false,
        constant: true,
      },
    ],
  },
});

/** A bare character_book, as cards carry one. */
export const characterBook = () => ({
  name: "Glade lore",
  entries: [
    { keys: ["glade"], content: "The glade is quiet.", extensions: {}, enabled: true, insertion_order: 0, id: 1 },
    { keys: ["shadow beasts"], content: "Shadow beasts fear light.", extensions: { position: 1 }, enabled: true, insertion_order: 1, id: 2 },
  ],
});
