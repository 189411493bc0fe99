import type { FleetMember } from './fleet.js';

/** Options of {@link StatusView}. */
export interface StatusViewOptions {
  /** Where to write. */
  out: NodeJS.WriteStream;
  /** Redraw lines in place (ANSI) instead of printing plain blocks. @default out.isTTY */
  live?: boolean;
  /** How often to redraw on a terminal. @default 250 */
  liveIntervalMs?: number;
  /** How often to print a block when not a terminal. @default 5000 */
  plainIntervalMs?: number;
  /** The line above the workers' lines (elapsed time, fleet totals). */
  header: () => string;
}

/** One status line for a worker. */
export function workerLine(member: FleetMember): string {
  const s = member.stats;
  const state = member.fatal !== undefined ? 'FAILED' : member.exit !== undefined ? 'exited' : 'running';
  const last = s.lastError === undefined ? '' : `  last error ${s.lastError.code}`;
  return (
    `worker ${member.id} (pid ${member.pid}) ${state}: ${s.served} calls served, ` +
    `refreshed ${s.lwaRefreshes} via LWA / ${s.storeRefreshes} from store, ` +
    `${s.lockWaits} lock waits, ${s.errors} errors${last}`
  );
}

/** The live status: one line per worker, redrawn in place on a terminal, periodic blocks otherwise. */
export class StatusView {
  readonly #members: readonly FleetMember[];
  readonly #options: StatusViewOptions;
  readonly #live: boolean;
  #timer: NodeJS.Timeout | undefined;
  #drawn = 0;

  constructor(members: readonly FleetMember[], options: StatusViewOptions) {
    this.#members = members;
    this.#options = options;
    this.#live = options.live ?? options.out.isTTY === true;
  }

  /** Starts drawing. */
  start(): void {
    this.#draw();
    const every = this.#live ? (this.#options.liveIntervalMs ?? 250) : (this.#options.plainIntervalMs ?? 5000);
    this.#timer = setInterval(() => this.#draw(), every);
  }

  /** Draws a last time and stops. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#live) this.#draw();
  }

  #draw(): void {
    const lines = [this.#options.header(), ...this.#members.map((m) => `  ${workerLine(m)}`)];
    const out = this.#options.out;
    if (!this.#live) {
      out.write(lines.join('\n') + '\n');
      return;
    }
    const columns = out.columns > 20 ? out.columns - 1 : 200;
    let text = this.#drawn > 0 ? `\x1b[${this.#drawn}A` : '';
    for (const line of lines) text += `\r\x1b[2K${line.length > columns ? line.slice(0, columns - 1) + '…' : line}\n`;
    out.write(text);
    this.#drawn = lines.length;
  }
}
