/** Shared by the GPU emulator's global setup (Node) and the tests (workerd). */
export const TEST_WEBHOOK_SECRET = `whsec_${btoa("chattr-test-webhook-secret-32byt")}`;
export const TEST_REPLICATE_TOKEN = "r8_test_token";
export const TEST_COG_TOKEN = "cog-test-webhook-token";
export const TEST_PUBLIC_BASE_URL = "http://chattr.test";
