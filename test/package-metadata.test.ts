// What every workspace package tells npm and its users: a description, keywords, the MIT license
// (the root LICENSE, copied into the package so the tarball carries it), where it lives in the
// repository, the Node versions it supports, a README, and "files" that ship its built code, its
// sources (its source maps point into them), README and LICENSE. No build needed; the tarballs
// themselves are checked by pack-install.test.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGES, repositoryRoot } from './support/built-packages.js';

interface PackageJson {
  name?: string;
  description?: string;
  keywords?: string[];
  license?: string;
  private?: boolean;
  repository?: { type?: string; url?: string; directory?: string };
  engines?: { node?: string };
  files?: string[];
}

const packagesDir = join(repositoryRoot, 'packages');
const rootLicense = readFileSync(join(repositoryRoot, 'LICENSE'), 'utf8');

describe('package metadata', () => {
  it('covers every workspace package', () => {
    const folders = readdirSync(packagesDir).filter((d) => existsSync(join(packagesDir, d, 'package.json')));
    expect(folders.sort()).toEqual([...PACKAGES].sort());
  });

  it('the root LICENSE is MIT', () => {
    expect(rootLicense).toMatch(/^MIT License\n/);
  });

  for (const pkg of PACKAGES) {
    it(`packages/${pkg}: publishable metadata, README and LICENSE`, () => {
      const dir = join(packagesDir, pkg);
      const pj = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
      expect(pj.name).toBe(`@spikeflow/${pkg}`);
      expect(pj.private, 'a package to publish is not private').toBeUndefined();
      expect(pj.description?.length ?? 0, 'description').toBeGreaterThan(20);
      expect(pj.keywords, 'keywords').toEqual(expect.arrayContaining(['spiking-neural-networks']));
      expect(pj.license).toBe('MIT');
      expect(pj.repository).toMatchObject({ type: 'git', directory: `packages/${pkg}` });
      expect(pj.engines?.node).toBe('>=20');
      expect(pj.files).toEqual(expect.arrayContaining(['dist', 'src', 'README.md', 'LICENSE']));
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8'), `packages/${pkg}/LICENSE differs from the root LICENSE`).toBe(rootLicense);
      expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(new RegExp(`^# @spikeflow/${pkg}\\n[\\s\\S]*\\n## Install\\n`));
    });
  }
});
