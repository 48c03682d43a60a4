/**
 * The WebSocket class used when none is given, under Node: `ws`, with permessage-deflate not
 * offered. `ws` offers it by default, and BitMEX has compressed for clients that offered it;
 * inflating every frame then costs the client about ten times the CPU of the rest of its work
 * on the frame (bench/e2e-deflate.ts; figures in bench/README.md), for bandwidth a data feed
 * rarely lacks.
 * A browser decides compression itself: browser builds take default-socket.browser.ts instead
 * (scripts/browser-stand-ins.ts). A `WebSocketCtor` option replaces this class altogether.
 * @module
 */
import WebSocket from 'isomorphic-ws';
import type { WebSocketCtor } from './connection';

/** `new WebSocket(url, protocols)` of `ws`, without permessage-deflate. */
export const defaultWebSocket = function (url: string, protocols?: string | string[]) {
  return new WebSocket(url, protocols, { perMessageDeflate: false });
} as unknown as WebSocketCtor;
