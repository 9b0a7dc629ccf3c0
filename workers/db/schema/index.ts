export * from "./characters";
export * from "./api-keys";
export * from "./conversations";
export * from "./ratings";
export * from "./media-requests";
export * from "./media-transitions";
export * from "./socket-sessions";
export * from "./lorebooks";
