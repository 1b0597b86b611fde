/**
 * Debian's chromium, started headless with a fresh profile and driven over the DevTools protocol by
 * playwright-core (which downloads no browser of its own). The flags keep it off the network: nothing but
 * the pages a test opens on loopback.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export interface RunningChromium {
  browser: Browser;
  close(): Promise<void>;
}

export const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Chromium 156 under CPU contention now and then accepts the DevTools connection and then never answers
 * playwright's first commands (seen in CI and reproduced beside busy loops; the next start connects in
 * ~1 s): such a start is abandoned after 20 s and the browser started afresh, up to three times.
 */
export async function startChromium(executable = 'chromium'): Promise<RunningChromium> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(executable);
    } catch (e) {
      if (attempt >= 3 || !(e instanceof Error) || !/connectOverCDP: Timeout/.test(e.message)) throw e;
      process.stderr.write(
        `chromium: no DevTools answer within 20 s (attempt ${attempt}); starting it again\n`,
      );
    }
  }
}

async function startOnce(executable: string): Promise<RunningChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'floatip-chromium-'));
  const child = spawn(
    executable,
    [...chromiumFlags, `--user-data-dir=${profile}`, '--remote-debugging-port=0'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const cleanup = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`chromium did not start within 30 s: ${err}`)), 30_000);
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => {
        err += d;
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`chromium exited with ${code}: ${err}`));
      });
    });
    const browser = await chromium.connectOverCDP(endpoint, { timeout: 20_000 });
    return {
      browser,
      async close() {
        await browser.close().catch(() => undefined);
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
        cleanup();
      },
    };
  } catch (e) {
    cleanup();
    throw e;
  }
}
