import { countTokens as countCl100k } from "gpt-tokenizer/encoding/cl100k_base";

// cl100k_base is the tokenizer of the GPT-4 family; for other models it is a close, honest estimate
// of prompt size, which is all the history budget needs.
const PER_MESSAGE_OVERHEAD = 4;

export const countMessageTokens = (content: string) => countCl100k(content) + PER_MESSAGE_OVERHEAD;
