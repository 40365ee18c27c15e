/** The emulator tier runs only inside `firebase emulators:exec` (npm run test:emulators). */
export function emulatorsRunning(): boolean {
  return Boolean(process.env.FIRESTORE_EMULATOR_HOST && process.env.FIREBASE_STORAGE_EMULATOR_HOST && process.env.FIREBASE_AUTH_EMULATOR_HOST);
}

export const SKIP_NOTE = "needs the Firebase emulator suite (Java 21): npm run test:emulators";
