/** Waits `ms` milliseconds on a real timer; the Sleep that adapters use outside tests. */
export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
