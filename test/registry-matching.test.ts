import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { STRONG_MATCH } from '../src/identity/match-score.js';
import { MatchingService } from '../src/identity/matching.service.js';
import {
  generateAbsent,
  generateRegistry,
  readVariants,
  toCsv,
  type RegistryRow,
  type VariantName,
} from '../scripts/synthetic-registry.mjs';
import { createTestApp, type TestApp } from './support/test-app.js';
import { signedInStaff, type SignedIn } from './support/staff.js';

const VARIANTS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../shared/fixtures/names/variants.tsv',
);
const REGISTRY_SIZE = 100_000;

// Recall and precision of registry matching over a synthetic registry of 100,000 prisoners
// (scripts/synthetic-registry.mjs) that holds every canonical name of variants.tsv: each of
// their spellings is looked up with the year of birth a family would know.
describe('registry matching at 100,000 prisoners', () => {
  let sut: TestApp;
  let supervisor: SignedIn;
  let matching: MatchingService;
  let variants: VariantName[];
  let registry: RegistryRow[];

  beforeAll(async () => {
    sut = await createTestApp({ env: { TOTP_REQUIRED_ROLES: 'none' } });
    supervisor = await signedInStaff(sut, { roles: ['supervisor'] });
    matching = sut.app.get(MatchingService);
    variants = readVariants(VARIANTS);
    registry = generateRegistry({ count: REGISTRY_SIZE, variants });
    const res = await supervisor.agent
      .post('/api/registry/imports')
      .set('X-CSRF-Token', supervisor.csrf)
      .set('Content-Type', 'text/csv')
      .send(Buffer.from(toCsv(registry)));
    if (res.status !== 200) throw new Error(`import: ${res.status} ${JSON.stringify(res.body)}`);
  }, 300_000);

  afterAll(() => sut?.close());

  it('finds every spelling of a name: the right prisoner in the top 5 for ≥ 98 %, first for ≥ 90 %', async () => {
    let queries = 0;
    let top1 = 0;
    let top5 = 0;
    const misses: string[] = [];
    for (const [index, variant] of variants.entries()) {
      const prisoner = registry[index];
      const birthYear = Number(prisoner.birthDate!.slice(0, 4));
      for (const spelling of variant.spellings) {
        const [surname, givenName, patronymic] = spelling.split(' ');
        const found = await matching.forValues({ surname, givenName, patronymic, birthYear }, 5);
        const rank = found.findIndex((c) => c.prisoner.personalNumber === prisoner.personalNumber);
        queries += 1;
        if (rank === 0) top1 += 1;
        if (rank >= 0) top5 += 1;
        else misses.push(`${spelling} (${variant.surname} ${variant.given} ${variant.patronymic})`);
      }
    }
    const top5Share = top5 / queries;
    const top1Share = top1 / queries;
    process.stdout.write(
      `registry matching recall over ${queries} spellings of ${variants.length} names in a registry of ` +
        `${REGISTRY_SIZE}: top 5 ${(top5Share * 100).toFixed(1)} %, first ${(top1Share * 100).toFixed(1)} %` +
        `${misses.length ? `; not in the top 5: ${misses.slice(0, 10).join('; ')}` : ''}\n`,
    );
    expect(queries).toBeGreaterThan(500);
    expect(top5Share).toBeGreaterThanOrEqual(0.98);
    expect(top1Share).toBeGreaterThanOrEqual(0.9);
  }, 300_000);

  it('calls no-one a strong match for more than 1 % of 1,000 sought persons not in the registry', async () => {
    const absent = generateAbsent({ count: 1_000 });
    let strong = 0;
    for (const person of absent) {
      const [best] = await matching.forValues(person, 1);
      if (best && best.score >= STRONG_MATCH) strong += 1;
    }
    process.stdout.write(
      `registry matching precision: ${strong} of ${absent.length} sought persons not in the registry ` +
        `had a candidate at or above the strong-match threshold (${STRONG_MATCH})\n`,
    );
    expect(strong / absent.length).toBeLessThanOrEqual(0.01);
  }, 300_000);
});
