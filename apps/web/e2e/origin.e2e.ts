import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, launch } from './helpers.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('the app opened under another name for the same server', () => {
  it('at localhost while APP_URL says 127.0.0.1: real time connects, and an anonymous first load makes no failing request (no 401s, no missing favicon)', async () => {
    // The server's APP_URL is http://127.0.0.1:<port> (global-setup.ts); open the same server as localhost.
    const other = baseUrl().replace('127.0.0.1', 'localhost');
    expect(other).not.toBe(baseUrl());
    const context = await browser.newContext({ baseURL: other, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const failing: string[] = [];
    const consoleErrors: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failing.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    page.on('requestfailed', (r) => failing.push(`failed ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    const prices = new Promise<string>((resolve) => {
      page.on('websocket', (ws) => {
        if (!ws.url().includes('/socket.io/')) return;
        ws.on('framereceived', (f) => {
          const text = typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8');
          if (text.startsWith('42["prices"')) resolve(ws.url());
        });
      });
    });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));

    await page.goto('/markets');
    await page.getByTestId('market-row-BTC').waitFor();
    const socketUrl = await Promise.race([
      prices,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no prices over the WebSocket within 15 s')), 15_000)),
    ]);
    expect(new URL(socketUrl).host).toBe(new URL(other).host);
    await page.waitForTimeout(1_000);

    expect(failing).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(requests).toContain('/api/auth/session');
    expect(requests).not.toContain('/api/auth/me');
    expect(requests).not.toContain('/api/auth/refresh');
    // The icon and manifest the page links to are served.
    for (const [path, type] of [
      ['/favicon.svg', 'image/svg+xml'],
      ['/manifest.webmanifest', 'application/manifest+json'],
    ] as const) {
      const res = await page.request.get(path);
      expect(res.status(), path).toBe(200);
      expect(res.headers()['content-type'], path).toContain(type);
    }
    await context.close();
  });
});
