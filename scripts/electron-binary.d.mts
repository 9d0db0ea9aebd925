/** Types for electron-binary.mjs (imported by the Electron test suite). */
export function electronBinary(root?: string): { path: string; reason?: undefined } | { path?: undefined; reason: string };
