import { countTokens as countCl100k } from "gpt-tokenizer/encoding/cl100k_base";

// cl100k_base is the tokenizer of the GPT-4 family; for other models it is a close, honest estimate
// of prompt size, which is all the history budget needs.
const PER_MESSAGE_OVERHEAD = 4;

// Every turn counts up to 200 past messages (~3 ms of CPU for short ones): each text is counted once
// per isolate, with the memo bounded by the text it holds (~4 MB), oldest out first.
const MEMO_MAX_CHARS = 2_000_000;
const memo = new Map<string, number>();
let memoChars = 0;

export function countMessageTokens(content: string): number {
  const known = memo.get(content);
  if (known !== undefined) return known;
  const tokens = countCl100k(content) + PER_MESSAGE_OVERHEAD;
  if (content.length > MEMO_MAX_CHARS / 100) return tokens;
  memo.set(content, tokens);
  memoChars += content.length;
  // Maps keep insertion order: the first key is the oldest counted.
  for (const oldest of memo.keys()) {
    if (memoChars <= MEMO_MAX_CHARS) break;
    memo.delete(oldest);
    memoChars -= oldest.length;
  }
  return tokens;
}
