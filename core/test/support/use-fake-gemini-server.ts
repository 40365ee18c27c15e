/** Jest set-up around the fake Gemini server (kept apart from it: the benchmarks import the server without Jest). */
import { FakeGeminiServer } from "./fake-gemini-server";

/**
 * Jest set-up for a test file: starts one fake server before all tests, resets it before each and
 * closes it after all. Read the server through the returned getter inside tests.
 */
export function useFakeGeminiServer(): () => FakeGeminiServer {
  let server: FakeGeminiServer | undefined;
  beforeAll(async () => {
    server = await FakeGeminiServer.start();
  });
  afterAll(() => server?.close());
  beforeEach(() => server?.reset());
  return () => {
    if (!server) throw new Error("the fake Gemini server is not started yet");
    return server;
  };
}
