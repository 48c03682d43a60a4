/**
 * Browser stand-in for default-socket.ts (scripts/browser-stand-ins.ts): the browser's own
 * WebSocket, which negotiates compression by itself.
 * @module
 */
import WebSocket from 'isomorphic-ws';
import type { WebSocketCtor } from './connection';

/** The global WebSocket. */
export const defaultWebSocket = WebSocket as unknown as WebSocketCtor;
