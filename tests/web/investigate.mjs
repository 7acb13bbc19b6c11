// The investigation page in a real browser (headless Chromium over the
// DevTools protocol), against a running `rearview serve`:
//   node investigate.mjs BASE_URL OUTDIR
// An analyst's path: / focuses the search, a de-fanged URL is searched
// with Enter, an address is clicked and pivoted to (its guided count
// shown), on to its /24, back with the browser's back; the XSS records
// stay text; CSV export and command lines; each report page and the
// status page. Screenshots go to OUTDIR. No script error, no console
// error (a CSP violation is one) may happen on the way.
import { launch, openPage } from './cdp.mjs';

const [base, outdir] = process.argv.slice(2);
if (!base || !outdir) {
	console.error('usage: node investigate.mjs BASE_URL OUTDIR');
	process.exit(2);
}
let failed = 0;
const ok = (msg) => console.log('ok: ' + msg);
const fail = (msg) => { console.log('FAIL: ' + msg); failed++; };
const check = (cond, msg) => (cond ? ok(msg) : fail(msg));

const browser = await launch(process.env.CHROMIUM || 'chromium');
let page = null;
try {
	const p = await openPage(browser);
	page = p;
	const done = () => p.evaluate('document.body.dataset.done || ""');
	const settle = async (before, what) =>
		p.waitFor(`(document.body.dataset.done || "") !== ${JSON.stringify(before)}`, what);
	const rowsText = () => p.evaluate('document.querySelector("#results tbody").textContent');
	const search = () => p.evaluate('location.search');
	// Type into the search box and submit; wait for the result.
	const searchFor = async (q) => {
		const before = await done();
		await p.evaluate(`document.getElementById("q").value = ${JSON.stringify(q)}; document.getElementById("search").requestSubmit()`);
		await settle(before, 'the search for ' + q);
	};
	// Open a value's pivot menu (a CSS selector of the value).
	const openMenu = async (sel) => {
		await p.evaluate(`document.querySelector(${JSON.stringify('#results .v' + sel)}).click()`);
		await p.waitFor('!document.getElementById("menu").hidden', 'the menu of ' + sel);
	};
	// The menu's entry that starts with a label (an expression).
	const entry = (label) => `[...document.querySelectorAll("#menu button")].find((b) => b.textContent.startsWith(${JSON.stringify(label)}))`;
	// Click it; wait for the search it starts.
	const pivot = async (label) => {
		const before = await done();
		await p.evaluate(entry(label) + '.click()');
		await settle(before, 'the pivot ' + label);
	};

	await p.navigate(base + '/');
	await p.waitFor('document.body && document.body.dataset.done', 'the page');
	const csp = await p.evaluate(`fetch("/").then((r) => r.headers.get("content-security-policy"))`);
	check(/script-src 'self'/.test(csp || '') && !/unsafe-inline/.test(csp), 'the page is served with a strict CSP: ' + csp);

	// '/' focuses the search; a de-fanged URL, Enter.
	let d = await done();
	await p.key('/', 'Slash', 191, '/');
	check(await p.evaluate('document.activeElement.id === "q"'), '"/" focuses the search box');
	await p.type('hxxps://www[.]example[.]com/login.php');
	await p.key('Enter', 'Enter', 13, '\r');
	await settle(d, 'the first search');
	check((await search()).includes('q=www.example.com'), 'the URL holds the query, de-fanged: ' + await search());
	let t = await rowsText();
	check(t.includes('192.0.2.1') && t.includes('192.0.2.2') && t.includes('www.example.com.'),
		'a de-fanged URL finds www.example.com and its addresses');
	await p.screenshot(outdir + '/1-search.png');

	// The timeline of the name: one lane per address it used.
	await p.evaluate('document.getElementById("timeline").click()');
	await p.waitFor('!document.getElementById("chart").hidden', 'the timeline');
	const lanes = await p.evaluate('[...document.querySelectorAll("#chart svg text")].map((t) => t.textContent).join(" ")');
	check(await p.evaluate('document.querySelectorAll("#chart svg rect").length') === 2 &&
		lanes.includes('192.0.2.1') && lanes.includes('192.0.2.2'), 'the timeline draws a lane per address: ' + lanes);

	// Click an address: the pivot menu, with guided counts.
	await openMenu('[data-val="192.0.2.1"]');
	const firstCount = entry('Names on 192.0.2.1') + '.querySelector(".count").textContent';
	await p.waitFor(firstCount + ' !== ""', 'the address\'s guided count');
	const count = await p.evaluate(firstCount);
	check(count === '1', 'the menu counts the pivot\'s rows: ' + count);
	await p.screenshot(outdir + '/2-menu.png');
	await pivot('Names on 192.0.2.1');
	check((await search()).includes('q=192.0.2.1'), 'pivoted to the address: ' + await search());
	check((await rowsText()).includes('www.example.com.'), 'the address lookup lists www.example.com');

	// On to its /24.
	await openMenu('[data-val="192.0.2.1"]');
	await pivot('Names on 192.0.2.0/24');
	check((await search()).includes('q=192.0.2.0%2F24'), 'pivoted to the /24: ' + await search());
	t = await rowsText();
	check(t.includes('192.0.2.1') && t.includes('192.0.2.2'), 'the /24 holds both addresses');
	check((await p.evaluate('document.getElementById("trail").textContent')).includes('192.0.2.0/24'), 'the pivot trail shows the investigation');
	await p.screenshot(outdir + '/3-network.png');

	// Back.
	d = await done();
	await p.evaluate('history.back()');
	await settle(d, 'going back');
	check((await search()).includes('q=192.0.2.1') && !(await search()).includes('%2F24'), 'back returns to the address: ' + await search());

	// An address's AS, from the enrichment it had when seen.
	await searchFor('cdn.example.com');
	check((await rowsText()).includes('AS1221 · Telstra Pty Ltd'), 'the address shows its AS and organisation');
	await openMenu('[data-val="1.128.0.1"]');
	await pivot('All of AS1221');
	check((await search()).includes('q=AS1221') && (await rowsText()).includes('cdn.example.com.'), 'pivoted to the AS: ' + await search());

	// Hostile data stays text.
	await searchFor('xss.example.com');
	t = await rowsText();
	check(t.includes('<img src=x onerror=') && t.includes('<script>'), 'the XSS records are shown as text');
	check(await p.evaluate('document.querySelector("#results img, #results script, #top img") === null && window.__xss === undefined'),
		'no element made from DNS data, no script run');
	await p.screenshot(outdir + '/4-xss.png');

	// Exports.
	const csv = await p.evaluate('rearview.toCsv()');
	check(csv.startsWith('rrname,rrtype,sensor,count,rdata,time_first,time_last,bailiwick\n') && csv.includes('xss.example.com.'),
		'CSV export of the table');
	check(await p.evaluate('rearview.csvField("=HYPERLINK(1)") === "\'=HYPERLINK(1)" && rearview.csvField("a,\\"b") === "\\"a,\\"\\"b\\""'),
		'a CSV cell that would be a formula is defused, quotes are doubled');
	await p.evaluate('document.getElementById("csv").click(); document.getElementById("cmds").click()');
	const cmds = await p.evaluate('document.getElementById("cmdout").textContent');
	check(cmds.includes("rearview lookup 'xss.example.com'") && cmds.includes("dnsdbq -r 'xss.example.com'"), 'command lines: ' + cmds.trim().replace(/\n/g, ' | '));

	// A CNAME's whole chain, from the alias's menu.
	await searchFor('login.example.com');
	await openMenu('[data-col="name"]');
	await p.evaluate(entry('CNAME chain') + '.click()');
	await p.waitFor('document.querySelector("#chart .chain li:nth-child(2)") !== null', 'the chain');
	const chain = await p.evaluate('[...document.querySelectorAll("#chart .chain li")].map((l) => l.textContent).join(" | ")');
	check(/^login\.example\.com\.? \| www\.example\.com\. → 192\.0\.2\.[12] 192\.0\.2\.[12]\s*$/.test(chain), 'the CNAME chain: ' + chain);

	// Report pages and the status page.
	for (const kind of ['fastflux', 'tunnel', 'phishing']) {
		d = await done();
		await p.evaluate(`document.querySelector('a[href*="kind=${kind}"]').click()`);
		await settle(d, kind + ' report');
		if (kind === 'fastflux') {
			// every candidate over ten years, and a row's chart: its
			// addresses over time
			d = await done();
			await p.evaluate('history.pushState(null, "", "/?page=report&kind=fastflux&w=3650d&all=1"); dispatchEvent(new PopStateEvent("popstate"))');
			await settle(d, 'the candidates');
			check((await rowsText()).includes('www.example.com.'), 'the report lists www.example.com as a candidate');
			await p.evaluate('[...document.querySelectorAll("#results tbody tr")].find((r) => r.textContent.includes("www.example.com.")).querySelector(".chartbtn").click()');
			await p.waitFor('!document.getElementById("chart").hidden && document.querySelector("#chart svg") !== null', 'the report row\'s chart');
			const lanes = await p.evaluate('document.querySelector("#chart svg").textContent');
			check(lanes.includes('192.0.2.1') && lanes.includes('192.0.2.2'), 'a report row\'s chart of its addresses: ' + lanes);
		}
		if (kind === 'phishing') {
			// every judged name: a keyword's reason with its points,
			// as text
			d = await done();
			await p.evaluate('history.pushState(null, "", "/?page=report&kind=phishing&w=3650d&all=1"); dispatchEvent(new PopStateEvent("popstate"))');
			await settle(d, 'the judged names');
			const t = await rowsText();
			check(t.includes('login.example.com') && /keyword \+\d+ \(login\)/.test(t), 'the phishing page lists login.example.com with its reason: ' + t.slice(0, 300));
		}
		check((await p.evaluate('document.querySelector("#results thead").textContent')).includes(kind === 'phishing' ? 'Verdict' : 'Domain') &&
			!(await p.evaluate('document.getElementById("status").className')).includes('err'), kind + ' report page');
		await p.screenshot(outdir + '/5-' + kind + '.png');
	}
	d = await done();
	await p.evaluate('document.querySelector(\'a[href*="page=status"]\').click()');
	await settle(d, 'the status page');
	check((await rowsText()).includes('corp-dns1'), 'status page lists the sensors');
	// (the page refreshes itself every 5 s; here the refresh is asked at
	// once, so the test does not wait on a timer)
	d = await done();
	await p.evaluate('statusPage(true)');
	await settle(d, 'the status page\'s refresh');
	check(/corp-dns1[\d,]+0\.0/.test(await rowsText()), 'after its refresh, records per second (none here): ' + await rowsText());
	await p.screenshot(outdir + '/6-status.png');

	check(p.problems.length === 0, 'no script error, no console error' + (p.problems.length ? ': ' + p.problems.join(' / ') : ''));
} catch (e) {
	fail(e.message + (page && page.problems.length ? ' (page: ' + page.problems.join(' / ') + ')' : ''));
} finally {
	await browser.close();
}
process.exit(failed ? 1 : 0);
