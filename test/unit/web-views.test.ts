// The HTML template tag escapes everything it is not told is markup, and the role matrix sends each role home.
import { describe, expect, it } from 'vitest';
import { words } from '../../src/web/i18n/i18n.js';
import { can, homePage, PAGES } from '../../src/web/roles.js';
import { html, raw } from '../../src/web/views/html.js';

describe('html tag', () => {
  it('escapes interpolated strings and arrays but not nested html or raw', () => {
    const name = '<img src=x onerror=alert(1)>"\'&';
    const out = html`<p title="${name}">${name}${[name]}${html`<b>${name}</b>`}${raw('<i>ok</i>')}</p>`.value;
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
    expect(out).toContain('<b>&lt;img');
    expect(out).toContain('<i>ok</i>');
  });
});

describe('roles', () => {
  it('each role has a home page it may open, and auditors see no image permission', () => {
    expect(homePage('staff')).toBe('/capture');
    expect(homePage('manager')).toBe('/capture');
    expect(homePage('installer')).toBe('/installer');
    expect(homePage('auditor')).toBe('/auditor');
    expect(can('auditor', 'images:view')).toBe(false);
    expect(can('installer', 'images:view')).toBe(false);
    expect(PAGES.filter((p) => can('auditor', p.permission)).map((p) => p.path)).toEqual(['/auditor']);
  });
});

describe('age', () => {
  it('says how long ago in plain words', () => {
    const age = (from: string, at: Date) => words('en').age(from, at);
    const now = new Date('2026-11-23T12:00:00Z');
    expect(age('2026-11-23T11:59:30Z', now)).toBe('just now');
    expect(age('2026-11-23T11:59:00Z', now)).toBe('1 minute ago');
    expect(age('2026-11-23T09:00:00Z', now)).toBe('3 hours ago');
    expect(age('2026-11-20T12:00:00Z', now)).toBe('3 days ago');
  });
});
