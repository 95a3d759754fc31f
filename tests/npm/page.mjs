// The web page in a real browser: Debian's chromium, headless, driven by playwright-core. Run by
// tests/gateway/page_test.cpp: `node page.mjs PAGE_URL_WITH_TOKEN [SCREENSHOT_DIR]`; prints one JSON
// object with what it saw (the C++ test asserts on it). ollama-sim answers a message containing
// ROUTE_MD with Markdown and one containing ROUTE_HOSTILE with hostile HTML; anything else slowly.
// The routes match any message of the request (the history too), hence the order: the slow answer
// first, then Markdown, then the hostile one (its route is listed first).
import { chromium } from 'playwright-core';

const [url, shots] = process.argv.slice(2);
const out = { console_errors: [], page_errors: [], dialogs: 0, external_requests: [] };
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
const origin = new URL(url).origin;

async function answer(page, text) {
  const before = await page.locator('article.msg.assistant[data-done="true"]').count();
  await page.fill('#input', text);
  await page.keyboard.press('Enter');
  await page.locator('article.msg.assistant[data-done="true"]').nth(before).waitFor({ timeout: 20000 });
  return page.locator('article.msg.assistant').nth(before);
}

try {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // DOMPurify parses the hostile HTML in an inert document; Chromium reports the inline handlers
    // it sees there as CSP violations (blocked, never run) before DOMPurify removes them.
    if (m.location().url.endsWith('/vendor/purify.min.js')) out.sanitizer_csp_reports = (out.sanitizer_csp_reports || 0) + 1;
    else out.console_errors.push(m.text() + ' @ ' + JSON.stringify(m.location()));
  });
  page.on('pageerror', (e) => out.page_errors.push(String(e)));
  page.on('dialog', async (d) => { out.dialogs += 1; await d.dismiss(); });
  page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) out.external_requests.push(r.url()); });

  await page.goto(url);
  await page.locator('#status[data-state="online"]').waitFor({ timeout: 15000 });
  out.connected = true;
  out.hash_after_load = await page.evaluate(() => location.hash);
  out.libraries = await page.evaluate(() => ({ marked: typeof window.marked, purify: typeof window.DOMPurify, hljs: typeof window.hljs }));

  // Cancel: Esc stops a slow answer; it ends marked as stopped.
  const before = await page.locator('article.msg.assistant').count();
  await page.fill('#input', 'tell me a long story');
  await page.keyboard.press('Enter');
  await page.locator('article.msg.assistant.streaming').waitFor({ timeout: 15000 });
  out.stop_visible = await page.isVisible('#stop');
  await page.keyboard.press('Escape');
  const slow = page.locator('article.msg.assistant').nth(before);
  await page.locator('article.msg.assistant[data-done="true"]').nth(before).waitFor({ timeout: 15000 });
  out.cancel = await slow.evaluate((el) => ({ interrupted: el.classList.contains('interrupted'), meta: el.querySelector('.meta').textContent }));
  out.send_visible_after = await page.isVisible('#send');
  if (shots) await page.screenshot({ path: `${shots}/page-cancel.png`, fullPage: true });


  // Markdown: a table, a list, a highlighted code block with a copy button.
  const md = await answer(page, 'show me ROUTE_MD');
  out.markdown = await md.evaluate((el) => ({
    h1: el.querySelectorAll('.body h1').length,
    strong: el.querySelectorAll('.body strong').length,
    table_cells: el.querySelectorAll('.body table td').length,
    list_items: el.querySelectorAll('.body ul li').length,
    highlighted: el.querySelectorAll('.body pre code.hljs').length,
    copy_buttons: el.querySelectorAll('.body pre button.copy').length,
    meta: el.querySelector('.meta').textContent,
  }));
  if (shots) await page.screenshot({ path: `${shots}/page-markdown.png`, fullPage: true });

  // A hostile answer: nothing of it may run or survive as an attribute or a link.
  const hostile = await answer(page, 'now ROUTE_HOSTILE');
  const links = hostile.locator('.body a');
  for (let i = 0; i < await links.count(); i++) await links.nth(i).click({ timeout: 2000 }).catch(() => {});
  await page.waitForTimeout(300);
  out.hostile = await hostile.evaluate((el) => ({
    text: el.querySelector('.body').textContent,
    pwned: window.__pwned === undefined ? null : window.__pwned,
    handlers: [...el.querySelectorAll('*')].filter((n) => [...n.attributes].some((a) => a.name.startsWith('on'))).length,
    js_links: [...el.querySelectorAll('[href],[src]')].filter((n) => /^\s*javascript:/i.test(n.getAttribute('href') || n.getAttribute('src') || '')).length,
    scripts: el.querySelectorAll('script,iframe').length,
  }));
  out.pages_open = context.pages().length;

  // A bad token is refused and the page asks for one.
  const bad = await context.newPage();
  await bad.goto(url.replace(/#token=.*/, '#token=wrong'));
  await bad.locator('#status[data-state="refused"]').waitFor({ timeout: 15000 });
  out.bad_token_dialog = await bad.isVisible('#login');
} catch (e) {
  out.failure = String(e && e.stack ? e.stack : e);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out) + '\n');
