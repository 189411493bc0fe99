/** How far this process's wall clock has been stepped, in ms. */
let offsetMs = 0;
let installed = false;

/**
 * Steps this process's wall clock (`Date.now()` and `new Date()`) by `ms`, as an administrator or a
 * bad time source stepping the host's clock would; the monotonic clock (`performance.now()`) is
 * left alone, as a real step leaves it. Steps add up. For drills only.
 */
export function stepWallClock(ms: number): void {
  if (!installed) {
    installed = true;
    const RealDate = globalThis.Date;
    const realNow = RealDate.now.bind(RealDate);
    class SteppedDate extends RealDate {
      constructor(...args: unknown[]) {
        if (args.length === 0) super(realNow() + offsetMs);
        else super(...(args as [string | number | Date]));
      }
      static override now(): number {
        return realNow() + offsetMs;
      }
    }
    globalThis.Date = SteppedDate as DateConstructor;
  }
  offsetMs += ms;
}
