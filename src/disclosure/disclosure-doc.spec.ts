import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { renderDisclosureDoc } from './disclosure-doc.js';

describe('docs/disclosure.md', () => {
  it('is the gate’s own table, regenerated (npm run docs:state-machine)', () => {
    expect(readFileSync('docs/disclosure.md', 'utf8')).toBe(renderDisclosureDoc());
  });
});
