/** Time as the domain sees it, so tests can drive waits without sleeping. */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export function isoNow(clock: Clock): string {
  return clock.now().toISOString();
}
