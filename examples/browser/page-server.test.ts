// The page server answers every request, however malformed, and goes on serving: a request
// target no URL parser takes (`//[`) once made the process exit. Raw sockets send what curl
// -g --path-as-is and worse would send.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servePage, type ServedPage } from './page-server.js';

let page: ServedPage;
let port: number;
beforeAll(async () => {
  page = await servePage();
  port = Number(new URL(page.url).port);
}, 120_000);
afterAll(() => page.close());

/** Sends `raw` on a fresh connection; resolves with all the server wrote before it closed (or 2 s passed). */
function send(raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 2000);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.end(raw);
  });
}

const request = (line: string, headers = 'Host: localhost\r\n') => `${line}\r\n${headers}Connection: close\r\n\r\n`;
const status = (response: string) => /^HTTP\/1\.1 (\d{3}) /.exec(response)?.[1];

describe('the page server under malformed requests', () => {
  const cases: [string, string, string][] = [
    ['a target no URL parser takes', request('GET //[ HTTP/1.1'), '400'],
    ['an unclosed IPv6 host in an absolute target', request('GET http://[::1 HTTP/1.1'), '400'],
    ['a scheme-relative target with a bad port', request('GET //localhost:99999/ HTTP/1.1'), '400'],
    ['path traversal', request('GET /../../../../etc/passwd HTTP/1.1'), '404'],
    ['encoded traversal', request('GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1'), '404'],
    ['a prototype name as the path', request('GET /__proto__ HTTP/1.1'), '404'],
    ['a relative target', request('GET __proto__ HTTP/1.1'), '400'],
    ['an asterisk target', request('OPTIONS * HTTP/1.1'), '405'],
    ['a method that is not GET', request('POST / HTTP/1.1', 'Host: localhost\r\nContent-Length: 0\r\n'), '405'],
    ['a request line of control bytes', '\x00\x01\x02\r\n\r\n', '400'],
    ['a header without a colon', request('GET / HTTP/1.1', 'Host: localhost\r\nbroken header\r\n'), '400'],
    ['a request cut off mid-line', 'GET //[', ''],
  ];
  for (const [what, raw, expected] of cases) {
    it(`${what}: ${expected === '' ? 'no crash' : expected}`, async () => {
      const response = await send(raw);
      if (expected !== '') expect(status(response), response.slice(0, 80)).toBe(expected);
      // The server still serves the page afterwards.
      const good = await send(request('GET / HTTP/1.1'));
      expect(status(good)).toBe('200');
      expect(good).toMatch(/<html/i);
    });
  }

  it('sends the cross-origin isolation headers with every page resource, so the page may share memory between threads', async () => {
    for (const path of Object.keys(page.sizes)) {
      const reply = (await send(request(`GET ${path} HTTP/1.1`))).toLowerCase();
      expect(reply, path).toContain('\r\ncross-origin-opener-policy: same-origin\r\n');
      expect(reply, path).toContain('\r\ncross-origin-embedder-policy: require-corp\r\n');
    }
  });

  it('still serves the script and the digits after all of them', async () => {
    for (const path of ['/main.js', ...Object.keys(page.sizes).filter((p) => p !== '/' && p !== '/main.js')]) {
      expect(status(await send(request(`GET ${path} HTTP/1.1`))), path).toBe('200');
    }
  });
});
