export * from "./common";
export * from "./chat";
export * from "./characters";
export * from "./keys";
export * from "./realtime";
export * from "./ratings";
export * from "./ops";
export * from "./media";
