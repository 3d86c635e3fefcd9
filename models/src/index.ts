// The runtime surface: reading and checking the manifest. The converter is build-time only (it pulls in
// TensorFlow.js) and is imported from its own file by build.ts and the tests.
export { MANIFEST_SCHEMA_VERSION, modelFileMismatch, readModelManifest, sha256Hex, sha256OfFile } from './manifest';
export type { ManifestModel, ManifestOutput, ManifestSource, ManifestSourceFile, ModelManifest } from './manifest';
