/**
 * The client's connections: the trading endpoint (`/realtime`, authenticated when keys are set)
 * and the platform endpoint (`/realtimePlatform`, public topics only), each opened on first use
 * and kept until {@link Endpoints.stop}; their session events go to one listener, each inside
 * the last-resort frame guard. The dead man's switch runs on the trading endpoint's sessions.
 * @module
 */
import { Subscription } from 'rxjs';
import { BitmexError } from '../protocol/errors';
import type { FrameParseError } from '../protocol/frames';
import type { ClockEstimator } from './clock';
import { Connection } from './connection';
import { defaultWebSocket } from './default-socket';
import { DeadMansSwitch } from './dead-mans-switch';
import { guardFrame } from './frame-guard';
import type { ResolvedOptions } from './options';
import { terminate, type Session, type SessionEvent } from './session';
import type { Endpoint } from './topic-images';

/** What the endpoints need from the client. */
export interface EndpointsLink {
  /** The checked options (URL, keys, heartbeat, reconnect, dead man's switch, socket class). */
  readonly options: ResolvedOptions;
  /** Learns the server's clock from the trading endpoint's welcomes and pings. */
  readonly clock: ClockEstimator;
  /** Each session event of an endpoint, in order. */
  event(endpoint: Endpoint, e: SessionEvent): void;
  /** Failed or lost connections that will be retried, and events that could not be handled. */
  report(error: BitmexError | FrameParseError): void;
  /** A connection ended for good (reconnect is off): the client ends with `error`. */
  fatal(error: BitmexError): void;
}

/** Both endpoints of one client. */
export class Endpoints {
  /** The trading endpoint, made at once (its status is the client's `status$`). */
  readonly main: Connection;
  private platform: Connection | undefined;
  private readonly started = new Set<Endpoint>();
  private readonly running = new Subscription();
  private deadMansSwitch: DeadMansSwitch | undefined;

  constructor(private readonly link: EndpointsLink) {
    this.main = this.connection(link.options.url, link.options.authArgs);
  }

  /** `cancelTime` of the dead man's switch's last reply (undefined before one, or once disarmed). */
  get cancelTime(): Date | undefined {
    return this.deadMansSwitch?.cancelTime;
  }

  /** The ready session of an endpoint, if any. */
  session(endpoint: Endpoint): Session | undefined {
    return this.connectionOf(endpoint)?.session;
  }

  /** Opens an endpoint on first use and hands its session events to the link until stopped. */
  start(endpoint: Endpoint): void {
    if (this.started.has(endpoint)) return;
    this.started.add(endpoint);
    // Platform topics are public: that socket needs no authentication.
    const connection = endpoint === 'main' ? this.main : (this.platform ??= this.connection(platformUrlOf(this.link.options.url), undefined));
    // Made once per endpoint, not per frame. A refusal the dead man's switch handles (and
    // reports, with when it re-arms) goes no further.
    const handle = (event: SessionEvent): void => {
      if (event.kind === 'error' && this.deadMansSwitch?.claims(event) === true) return;
      this.link.event(endpoint, event);
    };
    const report = (error: FrameParseError): void => this.link.report(error);
    this.running.add(
      connection.events$.subscribe({
        next: (e) => guardFrame(e, handle, report),
        error: (e: unknown) => this.link.fatal(e instanceof BitmexError ? e : new BitmexError(String(e))),
      }),
    );
    const dms = this.link.options.deadMansSwitch;
    if (endpoint === 'main' && dms !== undefined) this.deadMansSwitch = new DeadMansSwitch(connection.events$, dms, (error) => this.link.report(error));
  }

  /** Drops an endpoint's socket at once (or every endpoint's): the connection reconnects. */
  replace(endpoint?: Endpoint): void {
    const connections = endpoint === undefined ? [this.main, this.platform] : [this.connectionOf(endpoint)];
    for (const c of connections) {
      const socket = c?.current();
      if (socket !== undefined) terminate(socket);
    }
  }

  /**
   * Closes both sockets with code 1000, disarming the dead man's switch first unless the end is
   * a failure. Resolves once the sockets are closed; session events stop then.
   */
  async stop(disarm: boolean): Promise<void> {
    if (disarm) this.deadMansSwitch?.disarm();
    await Promise.all([this.main.stop(), this.platform?.stop()]);
    this.running.unsubscribe();
    this.main.status$.complete();
  }

  /** An endpoint's connection, if made. */
  private connectionOf(endpoint: Endpoint): Connection | undefined {
    return endpoint === 'main' ? this.main : this.platform;
  }

  private connection(url: string, authArgs: ResolvedOptions['authArgs']): Connection {
    const o = this.link.options;
    return new Connection({
      url,
      WebSocketCtor: o.WebSocketCtor ?? defaultWebSocket,
      authArgs,
      heartbeat: o.heartbeat,
      ...(url === o.url ? { clock: this.link.clock } : {}),
      reconnect: o.reconnect,
      connectTimeoutMs: o.connectTimeoutMs,
      // Each failed or lost connection that will be retried: why, which attempt, when the next.
      report: (error) => this.link.report(error),
    });
  }
}

function platformUrlOf(url: string): string {
  const u = new URL(url);
  u.pathname = '/realtimePlatform';
  return u.toString();
}
