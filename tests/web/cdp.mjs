// A minimal Chrome DevTools Protocol client over --remote-debugging-pipe:
// no npm package, only Node's own modules. Messages are JSON, each ended
// by a NUL octet, on the browser's fds 3 (to it) and 4 (from it).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function launch(chromium = 'chromium') {
	const profile = mkdtempSync(join(tmpdir(), 'rv-web-chrome.'));
	const args = ['--headless=new', '--no-sandbox', '--disable-gpu',
		'--no-first-run', '--no-default-browser-check', '--disable-extensions',
		'--disable-background-networking', '--disable-sync', '--mute-audio',
		'--window-size=1400,1000', '--remote-debugging-pipe',
		'--user-data-dir=' + profile, 'about:blank'];
	// its own process group: close() ends the renderers and helpers too
	const proc = spawn(chromium, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true });
	let stderr = '';
	proc.stderr.on('data', (d) => { stderr += d; });
	const out = proc.stdio[3], inp = proc.stdio[4];
	let next = 1, buf = Buffer.alloc(0);
	const waiting = new Map(), listeners = [];
	inp.on('data', (chunk) => {
		buf = Buffer.concat([buf, chunk]);
		let i;
		while ((i = buf.indexOf(0)) >= 0) {
			const msg = JSON.parse(buf.subarray(0, i).toString());
			buf = buf.subarray(i + 1);
			if (msg.id && waiting.has(msg.id)) {
				const { resolve, reject } = waiting.get(msg.id);
				waiting.delete(msg.id);
				if (msg.error) reject(new Error(msg.error.message));
				else resolve(msg.result);
			} else if (msg.method) {
				for (const fn of listeners) fn(msg);
			}
		}
	});
	const exited = new Promise((resolve) => proc.on('exit', resolve));
	const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
		const id = next++;
		waiting.set(id, { resolve, reject });
		out.write(JSON.stringify({ id, method, params, sessionId }) + '\0');
	});
	const close = async () => {
		try { await Promise.race([send('Browser.close'), new Promise((r) => setTimeout(r, 3000))]); } catch (e) { /* gone */ }
		try { process.kill(-proc.pid, 'SIGKILL'); } catch (e) { /* all gone */ }
		await exited;
		// a helper may still be writing its last file into the profile
		try { rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }); } catch (e) { /* left in /tmp */ }
	};
	return { send, on: (fn) => listeners.push(fn), close, stderr: () => stderr };
}

// A page in its own target, with helpers for the tests.
export async function openPage(browser) {
	const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
	const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
	const send = (m, p) => browser.send(m, p, sessionId);
	const problems = [];
	browser.on((msg) => {
		if (msg.sessionId !== sessionId) return;
		if (msg.method === 'Runtime.exceptionThrown')
			problems.push('exception: ' + msg.params.exceptionDetails.text + ' ' +
				JSON.stringify(msg.params.exceptionDetails.exception?.description || ''));
		if (msg.method === 'Runtime.consoleAPICalled' && msg.params.type === 'error')
			problems.push('console.error: ' + msg.params.args.map((a) => a.value ?? a.description).join(' '));
		if (msg.method === 'Log.entryAdded' && msg.params.entry.level === 'error' &&
		    !/Failed to load resource: the server responded with a status of 40[34]/.test(msg.params.entry.text))
			problems.push('log: ' + msg.params.entry.text);
	});
	await send('Page.enable');
	await send('Runtime.enable');
	await send('Log.enable');
	const evaluate = async (expression) => {
		const r = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
		if (r.exceptionDetails)
			throw new Error('evaluate ' + expression + ': ' + (r.exceptionDetails.exception?.description || r.exceptionDetails.text));
		return r.result.value;
	};
	// Wait for an expression to be true (a deadline for what must happen).
	const waitFor = async (expression, what, ms = 20000) => {
		const end = Date.now() + ms;
		for (;;) {
			if (await evaluate(expression)) return;
			if (Date.now() > end) throw new Error('timed out waiting for ' + what);
			await new Promise((r) => setTimeout(r, 50));
		}
	};
	return {
		send, evaluate, waitFor, problems,
		navigate: (url) => send('Page.navigate', { url }),
		key: async (key, code, vk, text) => {
			await send('Input.dispatchKeyEvent', { type: 'keyDown', key, code, windowsVirtualKeyCode: vk, text });
			await send('Input.dispatchKeyEvent', { type: 'keyUp', key, code, windowsVirtualKeyCode: vk });
		},
		type: (text) => send('Input.insertText', { text }),
		screenshot: async (file) => {
			const { data } = await send('Page.captureScreenshot', { format: 'png' });
			const { writeFileSync } = await import('node:fs');
			writeFileSync(file, Buffer.from(data, 'base64'));
		},
	};
}
