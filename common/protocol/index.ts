export * from './entities.js';
export * from './methods.js';
export * from './frames.js';
export * from './http.js';
export * from './calls.js';
export * from './groupCalls.js';
export * from './diagnostics.js';
