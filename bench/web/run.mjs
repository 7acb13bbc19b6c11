// The investigation page's benchmark (not part of make check):
//   node bench/web/run.mjs BASE_URL QUERY...
// For each query (as typed in the search box): the API's own time for the
// same rows (fetch in the page, body read to the end: the floor), and the
// time from Enter to the table drawn with every row; meanwhile a 10 ms
// timer in the page records the longest gap between its ticks (how long
// the page was unresponsive at worst). Best of 3 each.
import { launch, openPage } from '../../tests/web/cdp.mjs';

const [base, ...queries] = process.argv.slice(2);
if (!base || !queries.length) {
	console.error('usage: node run.mjs BASE_URL QUERY...');
	process.exit(2);
}
const browser = await launch(process.env.CHROMIUM || 'chromium');
try {
	const p = await openPage(browser);
	await p.navigate(base + '/?l=0');
	await p.waitFor('document.body && document.body.dataset.done', 'the page');
	for (const q of queries) {
		let api = Infinity, page = Infinity, gap = 0, rows = 0;
		for (let i = 0; i < 3; i++) {
			const path = await p.evaluate(`(() => { const c = rearview.classify(${JSON.stringify(q)}, 'rrset'); return c.path + (c.path.includes('?') ? '&' : '?') + 'limit=0'; })()`);
			const a = await p.evaluate(`(async () => { const t = performance.now(); const r = await fetch(${JSON.stringify(path)}); await r.text(); return performance.now() - t; })()`);
			api = Math.min(api, a);
			const before = await p.evaluate('document.body.dataset.done');
			await p.evaluate(`window.__gap = 0; window.__last = performance.now(); clearInterval(window.__tick);
				window.__tick = setInterval(() => { const n = performance.now(); window.__gap = Math.max(window.__gap, n - window.__last); window.__last = n; }, 10);
				document.getElementById('limit').value = '0'; document.getElementById('q').value = ${JSON.stringify(q)};
				window.__t0 = performance.now(); document.getElementById('search').requestSubmit();`);
			await p.waitFor(`document.body.dataset.done !== ${JSON.stringify(before)}`, 'the search', 600000);
			const r = await p.evaluate('({ t: performance.now() - window.__t0, gap: window.__gap, rows: document.getElementById("pageinfo").textContent })');
			page = Math.min(page, r.t);
			gap = Math.max(gap, r.gap);
			rows = r.rows;
		}
		console.log(`${q}: ${rows}; API ${api.toFixed(0)} ms, page ${page.toFixed(0)} ms (adds ${(page - api).toFixed(0)} ms); longest unresponsive gap ${gap.toFixed(0)} ms`);
	}
} finally {
	await browser.close();
}
