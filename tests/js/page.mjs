// Drives the config tester page (www/) in Chromium: shared by browser.test.mjs and page-chat.test.mjs
// (request preview and live reply).
import assert from "node:assert/strict";

/** Opens the page and waits until the wasm is loaded; `messages` collects every console line. */
export async function openTester(browser, site, { width = 1200, height = 900 } = {}) {
  const { page, problems } = await browser.page();
  const messages = [];
  page.on("console", (m) => messages.push(`${m.type()}: ${m.text()}`));
  await page.setViewportSize({ width, height });
  await page.goto(site.url);
  await page.waitForSelector("body[data-ready=true]", { state: "attached", timeout: 15_000 });
  return { page, problems, messages };
}

/** Fills the config and the key, then presses a button (default: List models) and waits for the result. */
export async function submitConfig(page, config, { key, button = "#discover", profiles } = {}) {
  await page.fill("#config", config);
  if (key !== undefined) await page.fill("#key", key);
  if (profiles !== undefined) {
    await page.click("#auth-details summary");
    await page.fill("#auth-profiles", profiles);
  }
  await page.click(button);
  await settled(page);
}

/** Waits until List models is idle and something (provider, models or an error) is shown. */
export async function settled(page) {
  await page.waitForFunction(() => !document.querySelector("#discover").disabled
    && (document.querySelector("#models:not([hidden])") || document.querySelector("#error:not([hidden])") || document.querySelector("#provider:not([hidden])")), null, { timeout: 20_000 });
}

/** The models table as objects: each value, where it came from, and which cells are flagged. */
export function readModels(page) {
  return page.$$eval("#models tbody tr", (trs) => trs.map((tr) => {
    const row = { flagged: [] };
    for (const cell of tr.querySelectorAll("[data-field]")) {
      const field = cell.dataset.field;
      row[field] = cell.querySelector(".v").textContent;
      const origin = cell.querySelector(".origin");
      if (origin) (row.origins ??= {})[field] = origin.textContent;
      if (cell.classList.contains("disagree") || (field === "id" && tr.classList.contains("disagree-row"))) row.flagged.push(field);
    }
    return row;
  }));
}

/** The line (1-based) the textarea's caret is on. */
export function caretLine(page, id = "config") {
  return page.evaluate((id) => {
    const a = document.getElementById(id);
    return a.value.slice(0, a.selectionStart).split("\n").length;
  }, id);
}

/** The key typed in #key is nowhere: DOM text and markup, other fields, URL, storage, cookies, console. */
export async function assertKeyNowhere(page, key, messages) {
  const seen = await page.evaluate(() => ({
    text: document.body.innerText,
    html: document.documentElement.outerHTML,
    fields: [...document.querySelectorAll("input, textarea, select")].filter((e) => e.id !== "key").map((e) => e.value).join("\n"),
    storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    cookie: document.cookie,
    url: location.href,
  }));
  assert.equal(await page.$eval("#key", (k) => k.value), key, "the key is in its field (the test typed it)");
  for (const [where, value] of Object.entries({ ...seen, pageUrl: page.url(), console: messages.join("\n") })) {
    assert.ok(!value.includes(key), `the key shows in ${where}`);
  }
}

/** Nothing is wider than the window (no horizontal scrolling of the page). */
export async function assertNoHorizontalOverflow(page) {
  const { scroll, width, wide } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: document.documentElement.clientWidth,
    wide: [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest(".scroll, pre.excerpt, textarea, .gutter")).map((e) => e.tagName + (e.id ? `#${e.id}` : "")).slice(0, 5),
  }));
  assert.ok(scroll <= width, `page is ${scroll}px wide in a ${width}px window`);
  assert.deepEqual(wide, [], "elements stick out of the window");
}
