/** A PNG imported by the Worker: its bytes (wrangler.toml's `[[rules]] type = "Data"`). */
declare module "*.png" {
  const bytes: ArrayBuffer;
  export default bytes;
}
