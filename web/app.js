/*
 * rearview's investigation page. Plain JavaScript, no library, served
 * from the binary (web/embed.sh) under a Content-Security-Policy that
 * allows no inline script.
 *
 * DNS data is attacker-controlled: every value reaches the page through
 * textContent (el() below), never as HTML. The API key lives in this
 * tab's sessionStorage and goes out as X-API-Key, never in a URL.
 *
 * The URL holds the page's state (?q=&m=&t=&fa=&lb=&s=&l=, or
 * ?page=status, ?page=report&kind=); back and forward replay it.
 */
'use strict';

const PER_PAGE = 100;
const COUNT_CAP = 100000;	/* guided pivots count up to this */

const S = {
	rows: [],	/* every row of the result, as the API gave them */
	raw: [],	/* their lines, for the NDJSON export */
	view: [],	/* rows after the chips, sorted */
	sort: { col: 'last', dir: -1 },
	page: 0,
	chips: [],	/* { col, val, out } */
	tops: newTops(),	/* value counts per column (countTop) */
	sorted: false,
	ctrl: null,	/* AbortController of the running request */
	cols: [],
	kind: 'rows',	/* rows | report | status */
	q: null,	/* the classified query */
};

const $ = (id) => document.getElementById(id);

/* An element with text children only: strings become text nodes. */
function el(tag, props, ...kids) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(props || {})) {
		if (k === 'class') e.className = v;
		else if (k === 'data') Object.assign(e.dataset, v);
		else if (k === 'on') for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
		else e.setAttribute(k, v);
	}
	for (const k of kids) {
		if (k === null || k === undefined || k === false) continue;
		e.append(k instanceof Node ? k : document.createTextNode(String(k)));
	}
	return e;
}

function setStatus(msg, err) {
	const s = $('status');
	s.textContent = msg;
	s.className = err ? 'err' : '';
}

/* --- the API ---------------------------------------------------------- */

function apiKey() { return sessionStorage.getItem('rv-key') || ''; }

async function api(path, signal) {
	const headers = {};
	if (apiKey()) headers['X-API-Key'] = apiKey();
	const res = await fetch(path, { headers, signal, cache: 'no-store' });
	if (res.status === 401 || res.status === 403) {
		$('keyform').hidden = false;
		$('key').focus();
	}
	return res;
}

/* Each line of a streamed body, as it arrives. */
async function eachLine(res, fn) {
	const reader = res.body.getReader();
	const dec = new TextDecoder();
	let buf = '';
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		buf += dec.decode(value, { stream: true });
		let at = 0, i;
		while ((i = buf.indexOf('\n', at)) >= 0) {
			if (i > at) fn(buf.slice(at, i));
			at = i + 1;
		}
		buf = buf.slice(at);	/* once per chunk, not per line */
		scheduleRender();
	}
	if (buf) fn(buf);
}

/* --- what the analyst typed -------------------------------------------- */

const V4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const V6 = /^[0-9a-f:]*:[0-9a-f:.]*$/i;
const isIP = (s) => V4.test(s) || (V6.test(s) && s.includes(':'));

/* Undo de-fanging and strip what a URL adds around a host. */
function defang(s) {
	s = s.trim().replace(/\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)/gi, '.')
		.replace(/\[:\]/g, ':').replace(/\[\/\]/g, '/');
	const url = /^(hxxps?|https?|fxp|ftp):\/\//i.test(s);
	s = s.replace(/^[a-z]{3,5}:\/\//i, '');
	if (url || (!/^[^/]+\/\d{1,3}$/.test(s) && s.includes('/')))
		s = s.split('/')[0];
	s = s.replace(/^[^@/]*@/, '');		/* user@ */
	if (/^\[.*\](:\d+)?$/.test(s))		/* [v6]:port */
		s = s.replace(/^\[(.*)\](:\d+)?$/, '$1');
	else if (/^[^:]+:\d+$/.test(s))		/* name:port */
		s = s.replace(/:\d+$/, '');
	return s;
}

/* The API path of a query. */
function classify(input, mode) {
	const v = defang(input);
	const enc = encodeURIComponent;
	let m;
	if ((m = /^AS(\d+)$/i.exec(v)))
		return { v, label: 'AS' + m[1], path: '/api/v1/asn/' + m[1], kind: 'asn' };
	if ((m = /^(?:raw:|0x)([0-9a-f]+)$/i.exec(v)) && m[1].length % 2 === 0)
		return { v, label: 'raw ' + m[1], path: '/api/v1/lookup/rdata/raw/' + m[1], qpath: 'rdata/raw/' + m[1], kind: 'raw' };
	if ((m = /^([^/]+)\/(\d{1,3})$/.exec(v)) && isIP(m[1]))
		return { v, label: v, path: '/api/v1/lookup/rdata/ip/' + enc(m[1]) + ',' + m[2], qpath: 'rdata/ip/' + enc(m[1]) + ',' + m[2], kind: 'ip' };
	if ((m = /^([^-\s]+)\s*-\s*([^-\s]+)$/.exec(v)) && isIP(m[1]) && isIP(m[2]))
		return { v, label: v, path: '/api/v1/lookup/rdata/ip/' + enc(m[1]) + '-' + enc(m[2]), qpath: 'rdata/ip/' + enc(m[1]) + '-' + enc(m[2]), kind: 'ip' };
	if (isIP(v))
		return { v, label: v, path: '/api/v1/lookup/rdata/ip/' + enc(v), qpath: 'rdata/ip/' + enc(v), kind: 'ip' };
	if (v === '' || /[\s/]/.test(v))
		return null;
	const types = $('types').value.trim().replace(/\s+/g, '');
	const t = types ? '/' + enc(types) : '';
	switch (mode) {
	case 'rdata':
		return { v, label: '→ ' + v, path: '/api/v1/lookup/rdata/name/' + enc(v) + t, qpath: 'rdata/name/' + enc(v) + t, kind: 'rdata' };
	case 'sub':
		return { v, label: 'subdomains of ' + v, path: '/api/v1/subdomains/' + enc(v), kind: 'sub' };
	case 'hist':
		return { v, label: 'history of ' + v, path: '/api/v1/history/' + enc(v) + (types ? '?type=' + enc(types) : ''), kind: 'hist' };
	default:
		return { v, label: v, path: '/api/v1/lookup/rrset/name/' + enc(v) + t, qpath: 'rrset/name/' + enc(v) + t, kind: 'rrset' };
	}
}

function epoch(dateInput) {
	return dateInput.value ? Math.floor(Date.parse(dateInput.value + 'T00:00:00Z') / 1000) : null;
}

/* The query's parameters: time fences, sensor, limit. */
function params(q) {
	const p = [];
	const fa = epoch($('fa')), lb = epoch($('lb'));
	if (fa !== null) p.push('time_first_after=' + fa);
	if (lb !== null) p.push('time_last_before=' + lb);
	if ($('sensor').value.trim()) p.push('sensor=' + encodeURIComponent($('sensor').value.trim()));
	if (q.kind !== 'hist' || $('limit').value !== '0') p.push('limit=' + $('limit').value);
	return (q.path.includes('?') ? '&' : '?') + p.join('&');
}

/* --- the URL ------------------------------------------------------------ */

function stateToUrl() {
	const u = new URLSearchParams();
	u.set('q', $('q').value.trim());
	if ($('mode').value !== 'rrset') u.set('m', $('mode').value);
	for (const [k, id] of [['t', 'types'], ['fa', 'fa'], ['lb', 'lb'], ['s', 'sensor']])
		if ($(id).value.trim()) u.set(k, $(id).value.trim());
	if ($('limit').value !== '10000') u.set('l', $('limit').value);
	return '/?' + u.toString();
}

function urlToState(u) {
	$('q').value = u.get('q') || '';
	$('mode').value = u.get('m') || 'rrset';
	$('types').value = u.get('t') || '';
	$('fa').value = u.get('fa') || '';
	$('lb').value = u.get('lb') || '';
	$('sensor').value = u.get('s') || '';
	$('limit').value = u.get('l') || '10000';
}

/* --- a search ------------------------------------------------------------ */

function cancel() {
	if (S.ctrl) S.ctrl.abort();
	S.ctrl = null;
	$('cancel').disabled = true;
}

function reset(kind) {
	cancel();
	clearTimeout(statusTimer);
	S.rows = [];
	S.raw = [];
	S.view = [];
	S.tops = newTops();
	S.page = 0;
	S.chips = [];
	S.kind = kind;
	$('results').className = '';
	$('cmdout').hidden = true;
	$('chart').hidden = true;
}

/* One COF line of the native API as a table row. */
function toRow(o) {
	const rd = o.rdata === undefined ? [] : Array.isArray(o.rdata) ? o.rdata : [o.rdata];
	const src = o.sensors ? o.sensors.join(' ') : (o.sensor_id || '');
	return {
		name: o.rrname || '', type: o.rrtype || '', src,
		count: o.count || 0, rd, enr: o.enrichment || [],
		first: o.time_first || 0, last: o.time_last || 0,
		bw: o.bailiwick || '',
	};
}

async function search(push) {
	const input = $('q').value;
	const q = classify(input, $('mode').value);
	if (!q) {
		setStatus('Nothing to search: give a name, an address, a network, a range, AS123 or raw:HEX.', true);
		return;
	}
	$('q').value = q.v;	/* what was searched, de-fanged */
	if (push) history.pushState(null, '', stateToUrl());
	document.title = 'rearview: ' + q.label;
	addTrail(q.label, stateToUrl());
	reset('rows');
	S.q = q;
	S.cols = ['name', 'type', 'src', 'count', 'rd', 'first', 'last'];
	if (q.kind === 'sub') S.cols = ['name', 'count', 'first', 'last'];
	S.sort = q.kind === 'hist' ? { col: 'first', dir: 1 } : { col: 'last', dir: -1 };
	const ctrl = new AbortController();
	S.ctrl = ctrl;
	$('cancel').disabled = false;
	const t0 = performance.now();
	setStatus('Searching ' + q.label + ' …');
	try {
		const res = await api(q.path + params(q), ctrl.signal);
		if (!res.ok) {
			const msg = (await res.text()).trim();
			setStatus(res.status === 404 ? 'No results for ' + q.label + '.' : msg || 'HTTP ' + res.status, res.status !== 404);
			render();
			return;
		}
		await eachLine(res, (line) => {
			let o;
			try { o = JSON.parse(line); } catch (e) { return; }
			S.raw.push(line);
			const r = toRow(o);
			S.rows.push(r);
			countTop(S.tops, r);
		});
		const ms = Math.round(performance.now() - t0);
		setStatus(S.rows.length + ' results for ' + q.label + ' in ' + ms + ' ms' +
			(S.rows.length === Number($('limit').value) ? ' (limited: raise the limit for more)' : '') + '.');
	} catch (e) {
		if (e.name === 'AbortError') setStatus('Cancelled after ' + S.rows.length + ' results.');
		else setStatus('Error: ' + e.message, true);
	} finally {
		if (S.ctrl === ctrl) { S.ctrl = null; $('cancel').disabled = true; }
		render();
		document.body.dataset.done = String(Date.now());
	}
}

/* --- the table ----------------------------------------------------------- */

const HEAD = { name: 'Query', type: 'Type', src: 'Source', count: 'Count', rd: 'Response', first: 'First Seen', last: 'Last Seen' };

function fmtTime(t) {
	return t ? new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 19) : '';
}

function cellValue(r, col) {
	return col === 'rd' ? r.rd.join(' ') : r[col];
}

/* The rows to show: the chips applied, sorted. While rows still stream
 * in, the first page in arrival order (a full sort of 100,000 rows every
 * redraw would freeze the page); sorted once they are all in. The sort
 * orders indices by precomputed keys. */
function applyView() {
	const chips = S.chips;
	let v = chips.length ? S.rows.filter((r) => chips.every((c) => {
		const vals = c.col === 'rd' ? r.rd : c.col === 'asn' ? r.enr.map((e) => e && 'AS' + e.asn) : [String(r[c.col])];
		return vals.includes(c.val) !== c.out;
	})) : S.rows;
	if (S.ctrl) { S.view = v; S.sorted = false; return; }
	const { col, dir } = S.sort;
	const n = v.length, idx = new Uint32Array(n);
	for (let i = 0; i < n; i++) idx[i] = i;
	if (col === 'count' || col === 'first' || col === 'last') {
		const k = new Float64Array(n);
		for (let i = 0; i < n; i++) k[i] = v[i][col];
		idx.sort((a, b) => (k[a] - k[b]) * dir || a - b);
	} else {
		const k = v.map((r) => cellValue(r, col));
		idx.sort((a, b) => (k[a] < k[b] ? -dir : k[a] > k[b] ? dir : a - b));
	}
	S.view = Array.from(idx, (i) => v[i]);
	S.sorted = true;
}

/* While rows stream in, the table is redrawn at most every 250 ms: a
 * redraw filters and sorts every row (100,000 take tens of ms) but draws
 * one page. */
let renderPending = false, lastRender = 0;
function scheduleRender() {
	if (renderPending) return;
	renderPending = true;
	setTimeout(() => requestAnimationFrame(() => {
		renderPending = false;
		lastRender = performance.now();
		render();
	}), Math.max(0, 250 - (performance.now() - lastRender)));
}

function valueSpan(col, val, extra) {
	return el('span', { class: 'v', tabindex: '0', data: Object.assign({ col, val }, extra || {}) }, val);
}

function render() {
	if (S.kind !== 'rows') return;
	applyView();
	const pages = Math.max(1, Math.ceil(S.view.length / PER_PAGE));
	if (S.page >= pages) S.page = pages - 1;
	const thead = $('results').tHead, tbody = $('results').tBodies[0];
	$('results').className = S.cols.length === 7 ? 'rows' : '';
	thead.replaceChildren(el('tr', {}, ...S.cols.map((c) => el('th', {
		class: S.sort.col === c && S.sorted ? 'sorted' + (S.sort.dir > 0 ? ' asc' : '') : '',
		data: { col: c }, scope: 'col',
	}, HEAD[c]))));
	const frag = document.createDocumentFragment();
	for (const r of S.view.slice(S.page * PER_PAGE, (S.page + 1) * PER_PAGE)) {
		const tr = el('tr');
		for (const c of S.cols) {
			let td;
			switch (c) {
			case 'name': td = el('td', {}, valueSpan('name', r.name)); break;
			case 'type': td = el('td', {}, r.type); break;
			case 'src': td = el('td', {}, r.src ? valueSpan('src', r.src) : ''); break;
			case 'count': td = el('td', { class: 'num' }, r.count.toLocaleString()); break;
			case 'first': td = el('td', { class: 't' }, fmtTime(r.first)); break;
			case 'last': td = el('td', { class: 't' }, fmtTime(r.last)); break;
			case 'rd':
				td = el('td', {}, ...r.rd.map((d, i) => {
					const e = r.enr[i];
					return el('span', { class: 'rd' }, valueSpan('rd', d, { type: r.type, asn: e && e.asn ? String(e.asn) : '' }),
						e ? el('span', { class: 'enr' }, ['AS' + e.asn, e.as_org, e.country].filter(Boolean).join(' · ')) : null);
				}));
				break;
			}
			tr.append(td);
		}
		frag.append(tr);
	}
	tbody.replaceChildren(frag);
	$('pageinfo').textContent = S.view.length ? 'page ' + (S.page + 1) + ' of ' + pages + ' (' + S.view.length + ' rows' +
		(S.view.length !== S.rows.length ? ' of ' + S.rows.length : '') + ')' : '';
	renderChips();
	renderTop();
}

function renderChips() {
	$('chips').replaceChildren(...S.chips.map((c, i) => el('span', { class: 'chip' + (c.out ? ' x' : '') },
		(c.out ? 'not ' : '') + (HEAD[c.col] || c.col) + ' = ' + c.val,
		el('button', { type: 'button', title: 'remove', on: { click: () => { S.chips.splice(i, 1); render(); } } }, '×'))));
}

/* The most common values per column of what is shown. */
function newTops() { return { rd: new Map(), asn: new Map(), type: new Map(), src: new Map() }; }

function countTop(tops, r) {
	const bump = (m, k) => m.set(k, (m.get(k) || 0) + 1);
	for (const d of r.rd) bump(tops.rd, d);
	for (const e of r.enr) if (e && e.asn) bump(tops.asn, 'AS' + e.asn);
	bump(tops.type, r.type);
	if (r.src) bump(tops.src, r.src);
}

/* The most common values per column of what is shown: counted as rows
 * arrive, again over the view when chips narrow it. */
function renderTop() {
	let tops = S.tops;
	if (S.chips.length) {
		tops = newTops();
		for (const r of S.view) countTop(tops, r);
	}
	const kids = [];
	for (const [col, title] of [['rd', 'Responses'], ['asn', 'ASNs'], ['type', 'Types'], ['src', 'Sources']]) {
		const top = [...tops[col]].sort((a, b) => b[1] - a[1]).slice(0, 8);
		if (!top.length) continue;
		kids.push(el('h3', {}, title), el('ol', {}, ...top.map(([v, n]) =>
			el('li', {}, valueSpan(col, v), ' ', el('span', { class: 'enr' }, String(n))))));
	}
	$('top').replaceChildren(...kids);
}

/* --- pivots ------------------------------------------------------------- */

function net24(ip) {
	if (V4.test(ip)) return ip.split('.').slice(0, 3).join('.') + '.0/24';
	const parts = ip.split(':');
	return parts.slice(0, 3).join(':') + '::/48';
}

/* What a value can be pivoted to: [label, search, mode, qpath]. */
function pivotsFor(col, val, d) {
	const out = [];
	if (col === 'asn') return [['All addresses of ' + val, val, 'rrset', null]];
	if (col === 'rd' && isIP(val)) {
		out.push(['Names on ' + val, val, 'rrset', 'rdata/ip/' + encodeURIComponent(val)]);
		const n = net24(val);
		out.push(['Names on ' + n, n, 'rrset', 'rdata/ip/' + n.replace('/', ',')]);
		if (d.asn) out.push(['All of AS' + d.asn, 'AS' + d.asn, 'rrset', null]);
		return out;
	}
	if (col === 'name' || (col === 'rd' && /^[^\s]+\.$/.test(val.split(' ').pop()))) {
		const name = col === 'rd' ? val.split(' ').pop() : val;
		out.push(['RRsets of ' + name, name, 'rrset', 'rrset/name/' + encodeURIComponent(name)]);
		out.push(['Names pointing at ' + name, name, 'rdata', 'rdata/name/' + encodeURIComponent(name)]);
		if (col === 'name') out.push(['Subdomains of ' + name, name, 'sub', null], ['History of ' + name, name, 'hist', null]);
		out.push(['Timeline of ' + name, name, 'timeline', null]);
		if (d.type === 'CNAME' || col === 'name') out.push(['CNAME chain from ' + name, name, 'chain', null]);
	}
	return out;
}

function closeMenu() { $('menu').hidden = true; }

function openMenu(span) {
	const { col, val } = span.dataset;
	const m = $('menu');
	const items = [el('div', { class: 'title' }, val)];
	for (const [label, q, mode, qpath] of pivotsFor(col, val, span.dataset)) {
		const count = el('span', { class: 'count' });
		const act = mode === 'timeline' ? () => nameTimeline(q) : mode === 'chain' ? () => chain(q) : () => go(q, mode);
		items.push(el('button', { type: 'button', on: { click: () => { closeMenu(); act(); } } }, label, count));
		if (qpath) guidedCount(qpath, count);
	}
	if (col !== 'asn' || S.rows.length) {
		items.push(el('button', { type: 'button', on: { click: () => { closeMenu(); S.chips.push({ col, val, out: false }); S.page = 0; render(); } } }, 'Filter to this'));
		items.push(el('button', { type: 'button', on: { click: () => { closeMenu(); S.chips.push({ col, val, out: true }); S.page = 0; render(); } } }, 'Exclude this'));
	}
	items.push(el('button', { type: 'button', on: { click: () => { closeMenu(); copy(val); } } }, 'Copy'));
	m.replaceChildren(...items);
	const r = span.getBoundingClientRect();
	m.style.left = Math.min(window.scrollX + r.left, window.scrollX + document.documentElement.clientWidth - 260) + 'px';
	m.style.top = (window.scrollY + r.bottom + 2) + 'px';
	m.hidden = false;
	m.querySelector('button').focus();
}

/* How many rows a pivot would return, asked cheaply of the service. */
async function guidedCount(qpath, into) {
	try {
		const res = await api('/api/v1/count/' + qpath + '?max_count=' + COUNT_CAP);
		if (!res.ok) return;
		const o = await res.json();
		into.textContent = o.capped ? COUNT_CAP.toLocaleString() + '+' : o.results.toLocaleString();
	} catch (e) { /* the count is a hint */ }
}

function copy(text) {
	if (navigator.clipboard) navigator.clipboard.writeText(text).catch(() => {});
	setStatus('Copied ' + text);
}

function go(q, mode) {
	$('q').value = q;
	$('mode').value = mode;
	search(true);
}

/* --- the pivot trail ---------------------------------------------------- */

function trail() { try { return JSON.parse(sessionStorage.getItem('rv-trail') || '[]'); } catch (e) { return []; } }

function addTrail(label, url) {
	const t = trail().filter((x) => x.url !== url);
	t.push({ label, url, at: new Date().toISOString() });
	sessionStorage.setItem('rv-trail', JSON.stringify(t.slice(-30)));
	renderTrail();
}

function renderTrail() {
	const t = trail();
	const kids = [];
	t.forEach((x, i) => {
		if (i) kids.push(el('span', { class: 'sep' }, '›'));
		kids.push(el('a', { href: x.url, data: { nav: '' } }, x.label));
	});
	$('trail').replaceChildren(...kids);
}

/* --- exports -------------------------------------------------------------- */

function download(name, type, text) {
	const a = el('a', { href: URL.createObjectURL(new Blob([text], { type })), download: name });
	document.body.append(a);
	a.click();
	setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

function csvField(s) {
	s = String(s);
	/* a leading = + - @ would be a formula in a spreadsheet */
	if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
	return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

function toCsv() {
	const lines = ['rrname,rrtype,sensor,count,rdata,time_first,time_last,bailiwick'];
	for (const r of S.view)
		lines.push([r.name, r.type, r.src, r.count, r.rd.join(' '), fmtTime(r.first), fmtTime(r.last), r.bw].map(csvField).join(','));
	return lines.join('\n') + '\n';
}

function commandLines() {
	const q = S.q;
	if (!q) return '';
	const sh = (s) => "'" + s.replace(/'/g, "'\\''") + "'";
	const lim = ' -l ' + $('limit').value;
	const t = $('types').value.trim();
	switch (q.kind) {
	case 'ip': {
		const v = q.v.replace(/\s/g, '');
		return 'rearview rdata ip ' + sh(v) + lim + '\ndnsdbq -i ' + sh(v.replace(/-/, ',')) + ' -l ' + $('limit').value + '\n';
	}
	case 'rdata': return 'rearview rdata name ' + sh(q.v) + (t ? ' -t ' + t : '') + lim + '\ndnsdbq -n ' + sh(q.v) + (t ? ' -t ' + t : '') + '\n';
	case 'raw': return 'rearview rdata raw ' + sh(q.v.replace(/^(raw:|0x)/i, '')) + lim + '\ndnsdbq -R ' + sh(q.v.replace(/^(raw:|0x)/i, '')) + '\n';
	case 'asn': return 'rearview asn ' + q.label + lim + '\n';
	case 'sub': return 'rearview subdomains ' + sh(q.v) + lim + '\n';
	case 'hist': return 'rearview history ' + sh(q.v) + '\n';
	default: return 'rearview lookup ' + sh(q.v) + (t ? ' -t ' + t : '') + lim + '\ndnsdbq -r ' + sh(q.v) + (t ? '/' + t : '') + ' -l ' + $('limit').value + '\n';
	}
}

/* --- timeline: one lane per value, a bar from first to last seen --------- */

function drawTimeline(rows, laneOf) {
	const lanes = new Map();
	for (const r of rows) for (const v of laneOf(r)) {
		const l = lanes.get(v) || { v, first: r.first, last: r.last, n: 0 };
		l.first = Math.min(l.first, r.first);
		l.last = Math.max(l.last, r.last);
		l.n++;
		lanes.set(v, l);
	}
	const ls = [...lanes.values()].sort((a, b) => a.first - b.first).slice(0, 40);
	if (!ls.length) return null;
	const t0 = Math.min(...ls.map((l) => l.first)), t1 = Math.max(...ls.map((l) => l.last)) || t0 + 1;
	const W = 900, L = 260, H = 18;
	const NS = 'http://www.w3.org/2000/svg';
	const svg = document.createElementNS(NS, 'svg');
	svg.setAttribute('width', W);
	svg.setAttribute('height', ls.length * H + 30);
	const x = (t) => L + (W - L - 10) * (t1 === t0 ? 0 : (t - t0) / (t1 - t0));
	const txt = (s, xx, yy) => { const e = document.createElementNS(NS, 'text'); e.setAttribute('x', xx); e.setAttribute('y', yy); e.textContent = s; return e; };
	ls.forEach((l, i) => {
		svg.append(txt(l.v.length > 38 ? l.v.slice(0, 37) + '…' : l.v, 0, i * H + 13));
		const b = document.createElementNS(NS, 'rect');
		b.setAttribute('x', x(l.first));
		b.setAttribute('y', i * H + 3);
		b.setAttribute('width', Math.max(3, x(l.last) - x(l.first)));
		b.setAttribute('height', H - 6);
		b.setAttribute('fill', '#3b6ea5');
		const tip = document.createElementNS(NS, 'title');
		tip.textContent = l.v + ': ' + fmtTime(l.first) + ' – ' + fmtTime(l.last);
		b.append(tip);
		svg.append(b);
	});
	svg.append(txt(fmtTime(t0), L, ls.length * H + 22), txt(fmtTime(t1), W - 130, ls.length * H + 22));
	return svg;
}

/* What a name resolved to, period after period (its history). */
async function historyRows(name) {
	const rows = [];
	const res = await api('/api/v1/history/' + encodeURIComponent(name));
	if (res.ok) await eachLine(res, (line) => { try { rows.push(toRow(JSON.parse(line))); } catch (e) { /* skip */ } });
	return rows;
}

/* A name's addresses over time, and the ASNs they were in. */
async function nameTimeline(name) {
	const rows = await historyRows(name);
	const box = $('chart');
	const a = drawTimeline(rows, (r) => r.rd);
	const b = drawTimeline(rows, (r) => r.enr.filter((e) => e && e.asn).map((e) => 'AS' + e.asn + (e.as_org ? ' ' + e.as_org : '')));
	box.replaceChildren(el('h3', {}, name), a || el('p', {}, 'Nothing to draw.'), b || '');
	box.hidden = false;
}

async function timeline() {
	const q = S.q;
	if (!q) return;
	if (q.kind === 'rrset' && !q.v.includes('*')) return nameTimeline(q.v);
	const lane = q.kind === 'ip' || q.kind === 'rdata' ? (r) => [r.name] : (r) => r.rd;
	const svg = drawTimeline(S.view, lane);
	$('chart').replaceChildren(svg || el('p', {}, 'Nothing to draw.'));
	$('chart').hidden = false;
}

/* A CNAME's whole chain: each target's RRsets in turn, until one is not
 * an alias (or a loop, or 16 steps). */
async function chain(name) {
	const steps = [];
	const seen = new Set();
	while (steps.length < 16 && !seen.has(name)) {
		seen.add(name);
		const rows = [];
		const res = await api('/api/v1/lookup/rrset/name/' + encodeURIComponent(name) + '?limit=1000');
		if (res.ok) await eachLine(res, (line) => { try { rows.push(toRow(JSON.parse(line))); } catch (e) { /* skip */ } });
		const cn = rows.filter((r) => r.type === 'CNAME').sort((x, y) => y.last - x.last);
		const ends = rows.filter((r) => r.type === 'A' || r.type === 'AAAA').flatMap((r) => r.rd);
		steps.push({ name, ends: [...new Set(ends)] });
		if (!cn.length) break;
		name = cn[0].rd[0];
	}
	const box = $('chart');
	box.replaceChildren(el('h3', {}, 'CNAME chain'), el('ol', { class: 'chain' }, ...steps.map((st) =>
		el('li', {}, valueSpan('name', st.name), st.ends.length ? ' → ' : '',
			...st.ends.map((e) => el('span', {}, valueSpan('rd', e), ' '))))));
	box.hidden = false;
	return steps;
}

/* --- report and status pages -------------------------------------------- */

/* ?page=report&kind=K[&w=WINDOW][&all=1]: the window (default 7d) and
 * whether unflagged candidates are listed too. */
async function reportPage(kind, win, all) {
	reset('report');
	document.title = 'rearview: ' + kind + ' report';
	setStatus('Computing the ' + kind + ' report …');
	const ctrl = new AbortController();
	S.ctrl = ctrl;
	$('cancel').disabled = false;
	const rows = [];
	try {
		const res = await api('/api/v1/report/' + kind + '?window=' + encodeURIComponent(win) + (all ? '&all=true' : '') + '&limit=1000', ctrl.signal);
		if (!res.ok) { setStatus((await res.text()).trim(), true); return; }
		await eachLine(res, (line) => { try { rows.push(JSON.parse(line)); } catch (e) { /* skip */ } });
		setStatus(rows.length + (all ? ' candidates' : kind === 'phishing' ? ' names to block or watch' : ' flagged domains') + ' in the ' + kind + ' report (window ' + win + '), best first.');
	} catch (e) {
		setStatus(e.name === 'AbortError' ? 'Cancelled.' : 'Error: ' + e.message, e.name !== 'AbortError');
	} finally {
		S.ctrl = null;
		$('cancel').disabled = true;
	}
	const skip = new Set(['report', 'rank', 'rrname', 'name', 'flagged', 'verdict', 'score', 'reasons']);
	/* A phishing row's reasons are objects: each with its points. */
	const reason = (r) => typeof r === 'object' && r !== null ?
		r.reason + ' ' + (r.points >= 0 ? '+' : '') + r.points + (r.detail ? ' (' + r.detail + ')' : '') : String(r);
	$('results').tHead.replaceChildren(el('tr', {}, ...['#', kind === 'phishing' ? 'Name' : 'Domain', kind === 'phishing' ? 'Verdict' : 'Flagged', 'Score', 'Reasons', 'Features', ''].map((h) => el('th', {}, h))));
	$('results').tBodies[0].replaceChildren(...rows.map((o) => el('tr', {},
		el('td', { class: 'num' }, o.rank),
		el('td', {}, valueSpan('name', o.rrname || o.domain || o.name || '')),
		el('td', {}, o.verdict || (o.flagged ? 'yes' : 'no')),
		el('td', { class: 'num' }, o.score),
		el('td', {}, Array.isArray(o.reasons) ? o.reasons.map(reason).join('; ') : o.reasons || ''),
		el('td', {}, Object.entries(o).filter(([k]) => !skip.has(k)).map(([k, v]) => k + '=' + (k.startsWith('time_') ? fmtTime(v) : v)).join(' ')),
		/* its addresses and ASNs over time */
		el('td', {}, el('button', { type: 'button', class: 'chartbtn', on: { click: () => nameTimeline(o.rrname || o.domain || o.name || '') } }, 'chart')))));
	$('pageinfo').textContent = '';
	$('top').replaceChildren();
	document.body.dataset.done = String(Date.now());
}

/* The status page refreshes every 5 s; records per second are the change
 * in each sensor's stored records between two looks. */
let statusPrev = null, statusTimer = null;

async function statusPage(again) {
	if (!again) statusPrev = null;
	reset('status');
	document.title = 'rearview: status';
	$('top').replaceChildren();
	$('pageinfo').textContent = '';
	const res = await api('/api/v1/stats');
	if (!res.ok) { setStatus((await res.text()).trim(), true); return; }
	const st = await res.json();
	const sensors = new Map();
	const db = [];
	for (const [k, v] of Object.entries(st)) {
		const m = /^sensor:([^:]+)(?::(.*))?$/.exec(k);
		if (!m) { db.push([k, k.endsWith('write') ? fmtTime(v) : v]); continue; }
		const s = sensors.get(m[1]) || {};
		s[m[2] || 'records'] = v;
		sensors.set(m[1], s);
	}
	const now = performance.now();
	for (const [n, x] of sensors) {
		const before = statusPrev ? statusPrev.sensors.get(n) : undefined;
		if (before !== undefined) x['records/s'] = ((x.records - before) * 1000 / (now - statusPrev.t)).toFixed(1);
	}
	statusPrev = { t: now, sensors: new Map([...sensors].map(([n, x]) => [n, x.records])) };
	statusTimer = setTimeout(() => { if (S.kind === 'status') statusPage(true); }, 5000);
	const cols = ['records', 'records/s', 'last', 'received', 'lost', 'resets', 'dropped_queue_full', 'dropped_send'];
	$('results').tHead.replaceChildren(el('tr', {}, el('th', {}, 'Sensor'), ...cols.map((c) => el('th', {}, c.replace(/_/g, ' ')))));
	$('results').tBodies[0].replaceChildren(...[...sensors].map(([n, s]) => el('tr', {}, el('td', {}, valueSpan('src', n)),
		...cols.map((c) => el('td', { class: c === 'last' ? 't' : 'num' }, c === 'last' ? fmtTime(s[c]) : s[c] === undefined ? '' :
			c === 'records/s' ? s[c] : Number(s[c]).toLocaleString())))));
	$('top').replaceChildren(el('h3', {}, 'Database'), el('table', { class: 'kv' }, ...db.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {}, String(v))))));
	setStatus(sensors.size + ' sensors.');
	document.body.dataset.done = String(Date.now());
}

/* --- wiring ------------------------------------------------------------- */

function route(push) {
	const u = new URLSearchParams(location.search);
	const page = u.get('page');
	if (page === 'status') return statusPage();
	if (page === 'report')
		return reportPage(['tunnel', 'phishing'].includes(u.get('kind')) ? u.get('kind') : 'fastflux',
			/^\d+[smhdw]$/.test(u.get('w') || '') ? u.get('w') : '7d', u.get('all') === '1');
	urlToState(u);
	if ($('q').value) return search(push);
	reset('rows');
	render();
	setStatus('Search a name, an address, a network, a range, an AS or raw rdata; click any value to pivot.');
	document.body.dataset.done = String(Date.now());
}

document.addEventListener('DOMContentLoaded', () => {
	$('search').addEventListener('submit', (e) => { e.preventDefault(); search(true); });
	$('cancel').addEventListener('click', cancel);
	$('keybtn').addEventListener('click', () => { $('keyform').hidden = !$('keyform').hidden; });
	$('keyform').addEventListener('submit', (e) => {
		e.preventDefault();
		sessionStorage.setItem('rv-key', $('key').value);
		$('key').value = '';
		$('keyform').hidden = true;
		route(false);
	});
	$('results').tHead.addEventListener('click', (e) => {
		const th = e.target.closest('th');
		if (!th || !th.dataset.col || S.kind !== 'rows') return;
		const col = th.dataset.col;
		S.sort = { col, dir: S.sort.col === col ? -S.sort.dir : (col === 'name' || col === 'rd' || col === 'type' ? 1 : -1) };
		render();
	});
	document.addEventListener('click', (e) => {
		const v = e.target.closest('.v');
		if (v) { e.preventDefault(); openMenu(v); return; }
		if (!e.target.closest('#menu')) closeMenu();
		const a = e.target.closest('a[data-nav], #home');
		if (a && !e.ctrlKey && !e.metaKey) {
			e.preventDefault();
			history.pushState(null, '', a.getAttribute('href'));
			route(false);
		}
	});
	document.addEventListener('keydown', (e) => {
		const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
		if (e.key === '/' && !typing) { e.preventDefault(); $('q').focus(); $('q').select(); }
		else if (e.key === 'Escape') closeMenu();
		else if (e.key === 'Enter' && document.activeElement.classList.contains('v')) openMenu(document.activeElement);
	});
	$('prev').addEventListener('click', () => { if (S.page > 0) { S.page--; render(); } });
	$('next').addEventListener('click', () => { S.page++; render(); });
	$('csv').addEventListener('click', () => download('rearview.csv', 'text/csv', toCsv()));
	$('ndjson').addEventListener('click', () => download('rearview.ndjson', 'application/x-ndjson', S.raw.join('\n') + '\n'));
	$('cmds').addEventListener('click', () => { $('cmdout').textContent = commandLines(); $('cmdout').hidden = false; });
	$('timeline').addEventListener('click', timeline);
	$('trailexp').addEventListener('click', () => download('rearview-trail.json', 'application/json', JSON.stringify(trail(), null, 1) + '\n'));
	window.addEventListener('popstate', () => route(false));
	renderTrail();
	route(false);
});

/* For the browser test: what the page would export. */
window.rearview = { toCsv, csvField, commandLines, classify, defang };
