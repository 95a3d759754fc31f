// The web page across a daemon restart, in headless chromium: it shows "reconnecting" while
// conductord is down and recovers when it is back on the same port. Run by
// tests/gateway/page_test.cpp: `node reconnect.mjs CONDUCTORD SIM_URL PORT DIR`; the page's token is
// an API key ($YOLLAYAH_PAGE_KEY, named by DIR/conductor.toml), which survives a restart (the
// session token does not). Starts and stops only its own conductord, by PID. Prints one JSON object.
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';

const [conductord, simUrl, port, dir] = process.argv.slice(2);
const key = process.env.YOLLAYAH_PAGE_KEY;
const out = { states: [] };
let daemon = null;

function start() {
  return new Promise((resolve, reject) => {
    const child = spawn(conductord, ['--host', simUrl, '--http', `127.0.0.1:${port}`, '--socket', `${dir}/c.sock`,
      '--config', `${dir}/conductor.toml`, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => reject(new Error('conductord did not start: ' + err)), 15000);
    child.stderr.on('data', (d) => {
      err += d;
      if (err.includes('web page:')) { clearTimeout(timer); resolve(child); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`conductord exited ${code}: ${err}`)); });
  });
}
function stop(child) {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
// Waits for an answer that follows this message: not for "one more answer than before", since the
// StateSnapshot a reconnected page gets may replace the whole log meanwhile.
async function chat(page, text) {
  await page.fill('#input', text);
  await page.keyboard.press('Enter');
  await page.locator(`article.msg.user:has-text("${text}") ~ article.msg.assistant[data-done="true"]`).first()
    .waitFor({ timeout: 20000 });
  return true;
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  daemon = await start();
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/#token=${encodeURIComponent(key)}`);
  await page.locator('#status[data-state="online"]').waitFor({ timeout: 15000 });
  out.states.push('online');
  out.first_chat = await chat(page, 'hello before the restart');
  await stop(daemon);
  await page.locator('#status[data-state="reconnecting"]').waitFor({ timeout: 15000 });
  out.states.push('reconnecting');
  out.status_text = await page.textContent('#status');
  daemon = await start();
  await page.locator('#status[data-state="online"]').waitFor({ timeout: 20000 });
  out.states.push('online');
  out.second_chat = await chat(page, 'hello after the restart');
} catch (e) {
  out.failure = String(e && e.stack ? e.stack : e);
} finally {
  await browser.close();
  await stop(daemon);
}
process.stdout.write(JSON.stringify(out) + '\n');
