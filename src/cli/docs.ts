import { writeFile } from 'node:fs/promises';
import { renderStateMachineDoc } from '../inquiries/state-machine/state-machine-diagram.js';

// npm run docs:state-machine
await writeFile('docs/state-machine.md', renderStateMachineDoc());
process.stdout.write('wrote docs/state-machine.md\n');
