import { writeFile } from 'node:fs/promises';
import { renderDisclosureDoc } from '../disclosure/disclosure-doc.js';
import { renderStateMachineDoc } from '../inquiries/state-machine/state-machine-diagram.js';

// npm run docs:state-machine: the pages generated from the code's own tables.
await writeFile('docs/state-machine.md', renderStateMachineDoc());
process.stdout.write('wrote docs/state-machine.md\n');
await writeFile('docs/disclosure.md', renderDisclosureDoc());
process.stdout.write('wrote docs/disclosure.md\n');
