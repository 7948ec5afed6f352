// The subject access answer's ZIP: Python's zipfile (an independent reader) lists the files and finds every CRC right.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zipStored } from '../../src/services/sar/zip.js';
import { tempDir } from '../support/tmp.js';

describe('zipStored', () => {
  it('writes an archive another reader opens, with names, bytes and dates intact', () => {
    const file = join(tempDir('bcrp-zip-'), 'answer.zip');
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
    writeFileSync(
      file,
      zipStored([
        { name: 'SAR-1/still-1.jpg', bytes: jpeg, modified: new Date('2026-12-02T10:20:30Z') },
        { name: 'SAR-1/manifest.json', bytes: Buffer.from('{"a":"ŵ"}'), modified: new Date('2026-12-02T10:20:30Z') },
        { name: 'SAR-1/empty.txt', bytes: Buffer.alloc(0), modified: new Date('2026-12-02T10:20:30Z') },
      ]),
    );
    const py = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        `import zipfile,sys,json
z=zipfile.ZipFile(sys.argv[1])
print(json.dumps({"bad":z.testzip(),"names":z.namelist(),"m":z.read("SAR-1/manifest.json").decode(),"j":list(z.read("SAR-1/still-1.jpg")),"t":list(z.getinfo("SAR-1/still-1.jpg").date_time)}))`,
        file,
      ],
      { encoding: 'utf8' },
    );
    expect(py.stderr).toBe('');
    const r = JSON.parse(py.stdout);
    expect(r.bad).toBeNull();
    expect(r.names).toEqual(['SAR-1/still-1.jpg', 'SAR-1/manifest.json', 'SAR-1/empty.txt']);
    expect(r.m).toBe('{"a":"ŵ"}');
    expect(r.j).toEqual([...jpeg]);
    // ZIP keeps the local wall-clock time of the machine that wrote it.
    const at = new Date('2026-12-02T10:20:30Z');
    expect(r.t).toEqual([
      at.getFullYear(),
      at.getMonth() + 1,
      at.getDate(),
      at.getHours(),
      at.getMinutes(),
      at.getSeconds(),
    ]);
  });

  it('refuses two files under one name rather than dropping one', () => {
    const at = new Date('2026-12-02T10:20:30Z');
    expect(() =>
      zipStored([
        { name: 'a.jpg', bytes: Buffer.from('1'), modified: at },
        { name: 'a.jpg', bytes: Buffer.from('2'), modified: at },
      ]),
    ).toThrow(/two files named a\.jpg/);
  });
});
