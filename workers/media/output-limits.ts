/**
 * How large a generated file may be. Well under the isolate's 128 MB: a file of unknown length is held
 * in memory once before it goes to R2, and Cog's data URIs arrive inside a webhook body.
 */
export const MAX_OUTPUT_BYTES = 24 * 1024 * 1024;
