/**
 * Runs before every test file. Tests talk only to loopback servers: tell Google's auth library not
 * to probe the cloud metadata server (firebase-admin looks for default credentials and a project
 * id there when an app has no credential).
 */
process.env.METADATA_SERVER_DETECTION = process.env.METADATA_SERVER_DETECTION || "none";
