import { HOLD_EXPLAINED, NOTICE_RULES } from './disclosure.policy.js';
import { FAMILY_NOTICES } from './family-notices.js';
import { CLOSINGS, familyViewOf, type Closing, type FamilyStage } from './family-view.js';
import { INQUIRY_STATES, type InquiryState } from '../inquiries/state-machine/inquiry-states.js';

// docs/disclosure.md, generated from the gate's own table and view function
// (`npm run docs:state-machine`); a test fails when the committed file differs.

const CLOSING_SAYS: Record<Closing, string> = {
  no_information:
    'we cannot give any information about him now (the same words whether he was not found or declined)',
  withdrawn: 'closed at the family’s request',
  not_verified: 'the information the inquiry relies on could not be confirmed',
  duplicate: 'handled under another case',
  declined_return: 'he did not agree to return (only once he agreed to be disclosed)',
};

// What the family is told of a status, before and after disclosure, by the same function the
// gate uses.
function stageOf(
  status: InquiryState,
  disclosed: boolean,
): { stage: FamilyStage; closing: string } {
  const view = familyViewOf(
    {
      inquiryId: '-',
      inquirerId: '-',
      reference: '-',
      status,
      inquirerName: '-',
      language: 'ru',
      emails: [],
      undeliverableEmails: [],
      phones: [],
      preferredChannel: 'email',
      soughtPersonName: '-',
    },
    {
      verification: disclosed ? 'verified' : null,
      disclosureConsent: disclosed ? 'given' : null,
      handoverConsent: null,
    },
    { trustedEmails: null, trustedPhones: null },
  );
  return { stage: view.stage, closing: view.closing ?? '' };
}

export function renderDisclosureDoc(): string {
  const notices = FAMILY_NOTICES.map((notice) => {
    const rule = NOTICE_RULES[notice];
    const when =
      notice === 'family.verification_outcome'
        ? 'failed: any time · passed: only after disclosure'
        : rule.discloses({})
          ? 'only after disclosure'
          : 'any time';
    const list = (stages: readonly string[]) => stages.map((s) => `\`${s}\``).join(', ');
    const stages =
      typeof rule.stages === 'function'
        ? `passed: ${list(rule.stages({ transition: 'confirm_detention' }))} · failed: ${list(rule.stages({}))}`
        : rule.stages
          ? list(rule.stages)
          : 'any';
    return `| \`${notice}\` | ${rule.says} | ${when} | ${stages} | ${rule.fields.map((f) => `\`${f}\``).join(', ') || '—'} |`;
  });
  const stages = INQUIRY_STATES.map((status) => {
    const before = stageOf(status, false);
    const after = stageOf(status, true);
    const cell = (s: { stage: FamilyStage; closing: string }) =>
      s.closing ? `\`${s.stage}\` (\`${s.closing}\`)` : `\`${s.stage}\``;
    return `| \`${status}\` | ${cell(before)} | ${cell(after)} |`;
  });
  return [
    '# What a family is told, when',
    '',
    'Generated from `src/disclosure/disclosure.policy.ts` and `src/disclosure/family-view.ts` by',
    '`npm run docs:state-machine`. Do not edit by hand: a test fails when this file is out of date.',
    '',
    'Nothing about a man’s detention reaches his family — by letter, on the status page or in a copy',
    'of their data — before **disclosure**: the family member is verified (a verification',
    'countersigned by a second person) **and** the prisoner agreed, in an interview, to be disclosed',
    'to them. One module decides it, the disclosure gate (`src/disclosure/`): every channel renders',
    'only the family view it produces, every family notice is queued through it and reviewed by it',
    'again when it is about to go. Before disclosure, everything a family receives reads the same',
    'whether or not he is held (`test/disclosure.property.test.ts` proves it over random histories).',
    '',
    '## What each stage of the case looks like to the family',
    '',
    '| status | before disclosure | after disclosure |',
    '|---|---|---|',
    ...stages,
    '',
    'How a closed case is explained:',
    '',
    ...CLOSINGS.map((c) => `- \`${c}\`: ${CLOSING_SAYS[c]}.`),
    '',
    '## Notices',
    '',
    '| notice | says | may go | still applies in | fields of the event it may carry |',
    '|---|---|---|---|---|',
    ...notices,
    '',
    'A notice the gate will not let go is **held** on the case (the timeline names it, why, and',
    'whose action it followed) and goes by itself once the reason is gone; one that no longer',
    'applies is dropped (suppressed), never sent late. Reasons:',
    '',
    ...Object.entries(HOLD_EXPLAINED).map(([k, v]) => `- \`${k}\`: ${v}.`),
    '',
    '## Addresses',
    '',
    'Notices go on the channel the family chose: letters by email, or a call a staff member makes',
    'with the notice’s words (a callback on the case, due at once) for a family who hear by phone.',
    'Once a family is verified, notices go only to the addresses and numbers they had when the',
    'verification was countersigned, or that a supervisor other than the person who entered them',
    'approved since. A new address or number on a verified family is a fraud signal',
    '(`contact_changed_after_verification`) until it is decided.',
    '',
    '## The status page and the copy of their data',
    '',
    'The status page shows the stage above; the man’s name, the journey (crossing, time, escort)',
    'and the handover appointment only after disclosure. The subject-access export holds, per case,',
    'the stage, how it closed, and the journey only after disclosure (a companion’s document number',
    'by its last four characters); it lists what it leaves out, and why.',
    '',
  ].join('\n');
}
