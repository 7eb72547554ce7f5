// Benchmark 5, the inbox page: the built bundle's size (raw and gzipped, as a browser downloads
// it) and the time to first list, from navigation to the first conversations shown (the page's
// own `inbox:first-list` performance mark), with `conversations` conversations in the shop,
// in headless Chromium on the same machine as the whole stack. Each load is a fresh browser
// context: nothing cached, as a merchant opening the app.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { MongoClient } from 'mongodb';
import { chromium } from 'playwright-core';
import { chromiumPath, DashboardClient, repoRoot, type Stack } from '../src/index.js';
import { seed, settleStore } from './inbox.js';
import { summary } from './stats.js';

export interface PageOptions {
  stack: Stack;
  mongo: MongoClient;
  conversations: number;
  loads: number;
  log: (line: string) => void;
}

/** Sizes of the page's files in KB, raw and gzipped, by kind. */
export function bundleSize() {
  const dir = join(repoRoot, 'services/inbox-web/dist/web/assets');
  const kb = (n: number) => Math.round(n / 102.4) / 10;
  const sizes = { js: { raw: 0, gzip: 0 }, css: { raw: 0, gzip: 0 } };
  for (const file of readdirSync(dir)) {
    const kind = file.endsWith('.js') ? 'js' : file.endsWith('.css') ? 'css' : undefined;
    if (!kind) continue;
    const bytes = readFileSync(join(dir, file));
    sizes[kind].raw += bytes.length;
    sizes[kind].gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return {
    jsKB: kb(sizes.js.raw),
    jsGzipKB: kb(sizes.js.gzip),
    cssKB: kb(sizes.css.raw),
    cssGzipKB: kb(sizes.css.gzip),
  };
}

export async function measurePage(options: PageOptions) {
  const { stack, mongo, log } = options;
  const shop = 'page-bench.myshopify.com';
  const dashboard = await DashboardClient.forShop(stack, shop, 'bench');
  await dashboard.request('PUT', '/v1/shop', { phoneNumber: '+14155550124', keywords: ['JOIN'] });
  log(`[bench] page: seeding ${options.conversations} conversations...`);
  await seed(mongo, shop, 0, options.conversations, 2, 4_000_000_000);
  await settleStore(stack, log);

  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
  const firstList: number[] = [];
  try {
    for (let i = 0; i < options.loads; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      const page = await context.newPage();
      await page.goto(`${stack.webUrl}/#token=${dashboard.token}`);
      await page.getByTestId('conversation-entry').first().waitFor({ timeout: 30_000 });
      const entries = await page.getByTestId('conversation-entry').count();
      if (entries !== 25) throw new Error(`the first list shows ${entries} conversations, not 25`);
      const mark = await page.evaluate(() => performance.getEntriesByName('inbox:first-list')[0]?.startTime);
      firstList.push(Math.round(mark ?? Number.NaN));
      await context.close();
    }
  } finally {
    await browser.close();
  }
  const s = summary(firstList);
  const result = {
    conversations: options.conversations,
    loads: firstList.length,
    firstListMs: { first: firstList[0], p50: s.p50, p99: s.p99, max: Math.max(...firstList) },
    bundle: bundleSize(),
  };
  log(`[bench] page: ${JSON.stringify(result)}`);
  return result;
}
