// Digest auth: RFC 7616 / RFC 2617 test vectors for MD5 and SHA-256, challenge parsing quirks, and the server
// check the emulator uses.
import { describe, expect, it } from 'vitest';
import {
  authorizationHeader,
  digestResponse,
  parseAuthParams,
  parseDigestChallenges,
  verifyAuthorization,
} from '../../../src/adapters/nvr/isapi/digest.js';

describe('digest responses', () => {
  it('matches the RFC 7616 example for MD5 and SHA-256', () => {
    const base = {
      username: 'Mufasa',
      password: 'Circle of Life',
      realm: 'http-auth@example.org',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
      nc: '00000001',
      qop: 'auth',
      method: 'GET',
      uri: '/dir/index.html',
    };
    expect(digestResponse({ ...base, algorithm: 'MD5' })).toBe('8ca523f5e9506fed4657c9700eebdbec');
    expect(digestResponse({ ...base, algorithm: 'SHA-256' })).toBe(
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
  });

  it('matches the RFC 2617 example (MD5, qop=auth)', () => {
    expect(
      digestResponse({
        algorithm: 'MD5',
        username: 'Mufasa',
        password: 'Circle Of Life',
        realm: 'testrealm@host.com',
        nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
        cnonce: '0a4f113b',
        nc: '00000001',
        qop: 'auth',
        method: 'GET',
        uri: '/dir/index.html',
      }),
    ).toBe('6629fae49393a05397450978507c4ef1');
  });
});

describe('challenge parsing', () => {
  it('keeps quoted commas (qop="auth,auth-int") and picks SHA-256 over MD5 from one joined header', () => {
    const joined =
      'Digest realm="NVR, shop", qop="auth,auth-int", nonce="abc", algorithm=MD5, Digest realm="NVR, shop", qop="auth", nonce="def", algorithm=SHA-256';
    const c = parseDigestChallenges([joined]);
    expect(c.map((x) => x.algorithm)).toEqual(['SHA-256', 'MD5']);
    expect(c[1]).toMatchObject({ realm: 'NVR, shop', qop: ['auth', 'auth-int'], nonce: 'abc' });
  });

  it('treats a missing algorithm as MD5 and ignores Basic and unknown algorithms', () => {
    const c = parseDigestChallenges([
      'Basic realm="x"',
      'Digest realm="r", nonce="n", algorithm=SHA-512-256',
      'Digest realm="r", nonce="m"',
    ]);
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({ algorithm: 'MD5', nonce: 'm', qop: [] });
  });

  it('unescapes quoted values', () => {
    expect(parseAuthParams('realm="a\\"b", x=1').get('realm')).toBe('a"b');
  });
});

describe('client header checked by the server side', () => {
  const users = new Map([['admin', 'Passw0rd!']]);
  for (const algorithm of ['MD5', 'SHA-256', 'SHA-256-sess'] as const) {
    it(`round-trips with ${algorithm}`, () => {
      const ch = { realm: 'r', nonce: 'n1', qop: ['auth'], algorithm, stale: false };
      const h = authorizationHeader(
        ch,
        { username: 'admin', password: 'Passw0rd!' },
        'POST',
        '/ISAPI/ContentMgmt/search',
        1,
      );
      expect(verifyAuthorization(h, 'POST', users, (n) => n === 'n1')).toEqual({ ok: true, username: 'admin' });
      const wrong = authorizationHeader(
        ch,
        { username: 'admin', password: 'nope' },
        'POST',
        '/ISAPI/ContentMgmt/search',
        1,
      );
      expect(verifyAuthorization(wrong, 'POST', users, () => true)).toEqual({ ok: false, stale: false });
      expect(verifyAuthorization(h, 'POST', users, () => false)).toEqual({ ok: false, stale: true });
    });
  }
});
