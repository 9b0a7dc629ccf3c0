/**
 * What the seeded memories say: first-person facts (as fact extraction stores them, in the user's own
 * words) and chat messages, built from a small vocabulary so that the benchmark's queries find things both
 * by words (FTS5) and by the emulator's hashed bag-of-words vectors. Deterministic: the same index gives
 * the same sentence on every run.
 */

const NAMES = ["Anna", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kemal", "Lucia", "Marek", "Nadia", "Oscar", "Priya"];
const RELATIONS = ["sister", "brother", "mother", "father", "cousin", "friend", "neighbour", "colleague", "aunt", "uncle"];
const CITIES = ["Lisbon", "Porto", "Berlin", "Krakow", "Oslo", "Lyon", "Seville", "Dublin", "Vienna", "Tallinn", "Naples", "Ghent"];
const JOBS = ["nurse", "teacher", "carpenter", "pilot", "baker", "lawyer", "chemist", "gardener", "librarian", "mechanic"];
const FOODS = ["sushi", "lasagna", "ramen", "paella", "dumplings", "falafel", "pancakes", "curry", "risotto", "tacos"];
const HOBBIES = ["hiking", "climbing", "chess", "painting", "cycling", "swimming", "baking", "knitting", "running", "fishing"];
const PETS = ["dog", "cat", "parrot", "rabbit", "tortoise", "hamster"];
const PET_NAMES = ["Rex", "Milo", "Luna", "Pepper", "Biscuit", "Shadow", "Olive", "Ziggy"];
const MONTHS = ["January", "March", "May", "June", "August", "October", "December"];
const DAYS = ["Monday", "Wednesday", "Friday", "Saturday", "Sunday"];
const ALLERGENS = ["peanuts", "shellfish", "pollen", "gluten", "cats"];

/** A small PRNG (mulberry32) seeded by the index, so each memory picks its words independently. */
function picker(seed: number) {
  let state = seed + 0x9e3779b9;
  return <T>(list: T[]): T => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return list[((t ^ (t >>> 14)) >>> 0) % list.length]!;
  };
}

const FACTS: ((pick: ReturnType<typeof picker>) => string)[] = [
  (p) => `My ${p(RELATIONS)} ${p(NAMES)} lives in ${p(CITIES)} and works as a ${p(JOBS)}.`,
  (p) => `I love ${p(FOODS)} and I go ${p(HOBBIES)} every ${p(DAYS)}.`,
  (p) => `My ${p(PETS)} is called ${p(PET_NAMES)} and loves long walks by the river.`,
  (p) => `I am planning a trip to ${p(CITIES)} in ${p(MONTHS)} with my ${p(RELATIONS)}.`,
  (p) => `I am allergic to ${p(ALLERGENS)}, so I never eat ${p(FOODS)} at restaurants.`,
  (p) => `My ${p(RELATIONS)} taught me ${p(HOBBIES)} when we lived in ${p(CITIES)}.`,
];

const MESSAGES: ((pick: ReturnType<typeof picker>) => string)[] = [
  (p) => `Do you remember what I told you about ${p(NAMES)} and the trip to ${p(CITIES)}?`,
  (p) => `We talked about ${p(HOBBIES)} last ${p(DAYS)}; you said ${p(CITIES)} has good places for it.`,
  (p) => `Tonight I cooked ${p(FOODS)} for my ${p(RELATIONS)}, who is a ${p(JOBS)}.`,
  (p) => `Of course! ${p(PET_NAMES)} the ${p(PETS)} sounds like wonderful company on a ${p(DAYS)} morning.`,
];

/** One memory in five is a kept message; the rest are extracted facts. */
export function seededMemory(index: number): { kind: "fact" | "message"; content: string } {
  const pick = picker(index);
  if (index % 5 === 4) return { kind: "message", content: pick(MESSAGES)(pick) };
  return { kind: "fact", content: pick(FACTS)(pick) };
}

/**
 * What the benchmark asks, in turn: questions in the corpus's words. None starts with "I" or "My", so a
 * turn that sends one adds no fact (the emulated extraction stores first-person statements).
 */
export const MEMORY_QUERIES = [
  "Where does my sister live?",
  "What is the name of my dog?",
  "Which food do I love?",
  "Tell me about the trip to Lisbon in May",
  "Who works as a nurse?",
  "What am I allergic to?",
  "When do I go hiking?",
  "Who taught me chess?",
];
