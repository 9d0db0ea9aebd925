import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './createBridge.js';

/**
 * The preload of every Earshot window. It exposes exactly one object, `window.earshot`, which
 * implements `DesktopBridge` (common/bridge.ts) over IPC; nothing else of Node or Electron
 * reaches the page. Built into one CommonJS file (dist/preload/preload.cjs) because sandboxed
 * preloads can `require` nothing but `electron`.
 */
contextBridge.exposeInMainWorld('earshot', createBridge(ipcRenderer));
