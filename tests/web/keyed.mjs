// The page against a service that requires keys:
//   node keyed.mjs BASE_URL KEY OUTDIR
// A search without a key asks for one; given once, it is kept for the tab
// and sent as X-API-Key (never in the URL), for the rows and the guided
// counts alike, and a new page in the same tab does not ask again.
import { launch, openPage } from './cdp.mjs';

const [base, key, outdir] = process.argv.slice(2);
if (!base || !key || !outdir) {
	console.error('usage: node keyed.mjs BASE_URL KEY OUTDIR');
	process.exit(2);
}
let failed = 0;
const check = (cond, msg) => { console.log((cond ? 'ok: ' : 'FAIL: ') + msg); if (!cond) failed++; };

const browser = await launch(process.env.CHROMIUM || 'chromium');
try {
	const p = await openPage(browser);
	await p.navigate(base + '/?q=www.example.com');
	await p.waitFor('document.body && document.body.dataset.done', 'the page');
	check(await p.evaluate('!document.getElementById("keyform").hidden && document.getElementById("status").className === "err"'),
		'without a key the search is refused and the key is asked for');
	const d = await p.evaluate('document.body.dataset.done');
	await p.evaluate(`document.getElementById('key').value = ${JSON.stringify(key)}; document.getElementById('keyform').requestSubmit()`);
	await p.waitFor(`document.body.dataset.done !== ${JSON.stringify(d)}`, 'the search with the key');
	check((await p.evaluate('document.querySelector("#results tbody").textContent')).includes('192.0.2.1'), 'with the key the rows come');
	check(!(await p.evaluate('location.href')).includes(key) && await p.evaluate('document.getElementById("key").value === ""'),
		'the key is in neither the URL nor the form');
	await p.evaluate('document.querySelector(\'#results .v[data-val="192.0.2.1"]\').click()');
	await p.waitFor('[...document.querySelectorAll("#menu .count")].filter((c) => c.textContent !== "").length === 2', 'both guided counts with the key');
	const counts = await p.evaluate('[...document.querySelectorAll("#menu .count")].map((c) => c.textContent).join(",")');
	check(/^1,2\b/.test(counts), 'guided counts are asked with the key: ' + counts);
	await p.navigate(base + '/?q=192.0.2.0/24');
	await p.waitFor('document.body && document.body.dataset.done && document.querySelector("#results tbody").textContent.includes("192.0.2.2")', 'a new page in the same tab');
	check(await p.evaluate('document.getElementById("keyform").hidden'), 'a new page in the same tab does not ask again');
	await p.screenshot(outdir + '/7-keyed.png');
	check(p.problems.length === 0, 'no script error' + (p.problems.length ? ': ' + p.problems.join(' / ') : ''));
} catch (e) {
	console.log('FAIL: ' + e.message);
	failed++;
} finally {
	await browser.close();
}
process.exit(failed ? 1 : 0);
