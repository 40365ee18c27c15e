/**
 * Firebase SDK set-up for the web app: one app, Auth (anonymous sign-in unless the user is already
 * signed in), Firestore, Functions and Storage, each pointed at the local emulators when
 * `VITE_USE_EMULATORS=true` (default emulator ports from firebase.json). App Check starts first
 * (app-check.ts) when a reCAPTCHA Enterprise site key is configured.
 */
import { initializeApp, type FirebaseApp } from "firebase/app";
import { connectAuthEmulator, getAuth, signInAnonymously, type Auth, type User } from "firebase/auth";
import { connectFirestoreEmulator, getFirestore, type Firestore } from "firebase/firestore";
import { connectFunctionsEmulator, getFunctions, type Functions } from "firebase/functions";
import { connectStorageEmulator, getStorage, type FirebaseStorage } from "firebase/storage";
import { appCheckPlan, startAppCheck } from "./app-check";
import type { AppEnv } from "./env";

export interface FirebaseServices {
  app: FirebaseApp;
  auth: Auth;
  db: Firestore;
  functions: Functions;
  storage: FirebaseStorage;
  /** Resolves with the signed-in user, signing in anonymously when nobody is. */
  user(): Promise<User>;
}

export const EMULATOR_PORTS = { auth: 9099, firestore: 8080, functions: 5001, storage: 9199 } as const;

export function initFirebase(env: AppEnv): FirebaseServices {
  const app = initializeApp(env.firebase);
  // Before any callable: production callables refuse requests without an App Check token.
  startAppCheck(app, appCheckPlan({ ...env.appCheck, useEmulators: env.useEmulators }));
  const auth = getAuth(app);
  const db = getFirestore(app);
  const functions = getFunctions(app, env.region);
  const storage = getStorage(app);
  if (env.useEmulators) {
    const host = env.emulatorHost;
    connectAuthEmulator(auth, `http://${host}:${EMULATOR_PORTS.auth}`, { disableWarnings: true });
    connectFirestoreEmulator(db, host, EMULATOR_PORTS.firestore);
    connectFunctionsEmulator(functions, host, EMULATOR_PORTS.functions);
    connectStorageEmulator(storage, host, EMULATOR_PORTS.storage);
  }
  let signingIn: Promise<User> | null = null;
  const user = async (): Promise<User> => {
    await auth.authStateReady();
    if (auth.currentUser) return auth.currentUser;
    signingIn ??= signInAnonymously(auth)
      .then((cred) => cred.user)
      .finally(() => {
        signingIn = null;
      });
    return signingIn;
  };
  return { app, auth, db, functions, storage, user };
}
