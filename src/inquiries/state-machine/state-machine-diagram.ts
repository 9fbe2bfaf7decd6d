import { GUARD_DESCRIPTIONS } from './inquiry-guard.types.js';
import { TRANSITIONS } from './inquiry-state-machine.js';
import { CLOSED_STATES, INQUIRY_STATES } from './inquiry-states.js';

// docs/state-machine.md, generated from the transition table (`npm run docs:state-machine`);
// a test fails when the committed file differs.
export function renderStateMachineDoc(): string {
  const edges = TRANSITIONS.flatMap((rule) =>
    rule.from.map((from) => {
      const to = rule.to === 'previous' ? 'previous_state' : rule.to;
      return `  ${from} --> ${to}: ${rule.name}`;
    }),
  );
  const rows = TRANSITIONS.map((rule) => {
    const from =
      rule.from.length === CLOSED_STATES.length && rule.from.every((s) => s.startsWith('closed_'))
        ? 'any closed state'
        : rule.from.join(', ');
    const guards = rule.guards.map((g) => GUARD_DESCRIPTIONS[g]).join('; ') || '—';
    const notifications = rule.notifications.join(', ') || '—';
    return `| \`${rule.name}\` | ${from} | ${rule.to === 'previous' ? 'the state before on_hold' : rule.to} | ${rule.roles.join(', ')} | ${guards} | ${rule.reasonRequired ? 'yes' : 'no'} | ${notifications} |`;
  });
  return [
    '# The inquiry state machine',
    '',
    'Generated from `src/inquiries/state-machine/inquiry-state-machine.ts` by',
    '`npm run docs:state-machine`. Do not edit by hand: a test fails when this file is out of date.',
    '',
    '```mermaid',
    'stateDiagram-v2',
    '  [*] --> received',
    ...edges,
    '  handed_over --> [*]',
    '```',
    '',
    `States: ${INQUIRY_STATES.map((s) => `\`${s}\``).join(', ')}.`,
    '',
    '| transition | from | to | roles | needs | reason | notifies |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'Family notifications go through the disclosure gate, which holds back anything about the',
    `man's detention until ${GUARD_DESCRIPTIONS.detention_disclosure_allowed}:`,
    'see [What a family is told, when](disclosure.md).',
    '',
  ].join('\n');
}
