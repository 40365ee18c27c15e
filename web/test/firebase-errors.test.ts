import { FirebaseError } from "firebase/app";
import { fromFirebaseError } from "../src/backend/firebase-errors";
import { BackendError } from "../src/backend/types";

describe("fromFirebaseError", () => {
  it("keeps the ErrorInfo a callable sent as HttpsError details", () => {
    const info = { code: "invalid_flow", message: "Invalid flow", retryable: false, details: [{ path: "nodes[0].id", message: "bad id" }] };
    const err = Object.assign(new FirebaseError("functions/invalid-argument", "Invalid flow"), { details: info });
    expect(fromFirebaseError(err).info).toEqual(info);
  });

  it.each([
    ["functions/not-found", "not_found", false],
    ["permission-denied", "permission_denied", false],
    ["functions/resource-exhausted", "limit_exceeded", false],
    ["firestore/unavailable", "unavailable", true],
    ["functions/internal", "internal", true],
  ])("maps %s without details to %s", (code, expected, retryable) => {
    const out = fromFirebaseError(new FirebaseError(code, "message"));
    expect(out).toBeInstanceOf(BackendError);
    expect(out.info.code).toBe(expected);
    expect(out.info.retryable).toBe(retryable);
  });

  it("turns anything else into an internal error", () => {
    expect(fromFirebaseError("boom").info.code).toBe("internal");
  });
});
