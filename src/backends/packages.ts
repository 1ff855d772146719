/**
 * Finds installed copies of a runtime package, including side-by-side versions installed under npm aliases
 * (`"ort-1-12": "npm:onnxruntime-node@1.12.1"`): every folder in node_modules whose package.json names the package.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
  /** The folder name it is installed under (the alias, or the package name itself). */
  readonly installedAs: string;
}

let cache: InstalledPackage[] | undefined;

function nodeModulesDir(): string {
  // dist/src/backends or src/backends -> project root
  let dir = import.meta.dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules');
    dir = join(dir, '..');
  }
  return join(process.cwd(), 'node_modules');
}

/** Every installed package folder (top level of node_modules, scoped ones included). */
export function installedPackages(): InstalledPackage[] {
  if (cache) return cache;
  const root = nodeModulesDir();
  const out: InstalledPackage[] = [];
  const visit = (dir: string, installedAs: string): void => {
    const pj = join(dir, 'package.json');
    if (!existsSync(pj)) return;
    try {
      const p = JSON.parse(readFileSync(pj, 'utf8')) as { name?: string; version?: string };
      if (p.name && p.version) out.push({ name: p.name, version: p.version, dir, installedAs });
    } catch {
      // a broken package.json is not ours to report here
    }
  };
  if (existsSync(root)) {
    for (const e of readdirSync(root)) {
      if (e.startsWith('.')) continue;
      if (e.startsWith('@')) for (const s of readdirSync(join(root, e))) visit(join(root, e, s), `${e}/${s}`);
      else visit(join(root, e), e);
    }
  }
  cache = out;
  return out;
}

/** Installed copies of `name`, the one installed under its own name first. */
export function versionsOf(name: string): InstalledPackage[] {
  return installedPackages()
    .filter((p) => p.name === name)
    .sort((a, b) => Number(b.installedAs === name) - Number(a.installedAs === name) || a.version.localeCompare(b.version));
}

/** The copy of `name` at `version` (or the default copy), or a message listing what is installed. */
export function findPackage(name: string, version?: string): InstalledPackage | string {
  const all = versionsOf(name);
  if (all.length === 0) return `${name} is not installed (add it to package.json and run npm ci)`;
  if (version === undefined) return all[0]!;
  const hit = all.find((p) => p.version === version);
  if (hit) return hit;
  return `${name}@${version} is not installed (installed: ${all.map((p) => p.version).join(', ')}); install it side by side with "ort-X-Y": "npm:${name}@${version}" in package.json`;
}

/** Loads an installed package folder as CommonJS (runtime packages ship CJS entry points). */
export function requireDir<T>(dir: string): T {
  return createRequire(import.meta.url)(dir) as T;
}
