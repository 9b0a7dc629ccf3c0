export * from "./common";
export * from "./chat";
export * from "./characters";
export * from "./keys";
export * from "./media";
