// The arrows between modules (docs: DESIGN "Architecture"), checked in `npm run lint`. A module
// is a folder under src/. Each exception says why it is there; shrink them, never widen them.
const FEATURES =
  'inquiries|people|contacts|registry|identity|travel|handover|status|disclosure|mail|intake|reports|privacy|auth|health';
// Plain constants (no code, no imports) that any module may read: the state list and the
// vocabularies the API and the admin UI share.
const VOCABULARY = '(\\.vocabulary\\.ts|/state-machine/inquiry-states\\.ts)$';

module.exports = {
  forbidden: [
    {
      name: 'kernel-knows-no-feature',
      comment:
        'common, config, audit, database and metrics serve every feature and depend on none. ' +
        'Exception: src/database/entities.ts, the list TypeORM is given of every entity.',
      severity: 'error',
      from: {
        path: '^src/(common|config|audit|database|metrics)/',
        pathNot: '^src/database/entities\\.ts$',
      },
      to: { path: `^src/(${FEATURES})/`, pathNot: VOCABULARY },
    },
    {
      name: 'inquiries-know-no-later-stage',
      comment:
        'The state machine knows nothing of the registry, identity, travel, handover, contacts, ' +
        'the status page or any channel: those plug their guards into it (InquiryGuardRegistry).',
      severity: 'error',
      from: { path: '^src/inquiries/' },
      to: {
        path: '^src/(registry|identity|travel|handover|contacts|status|intake|privacy|reports|health)/',
      },
    },
    {
      name: 'people-is-a-leaf',
      comment:
        'Persons, searches and sought persons are the records others hang on; people depends on ' +
        'the kernel only.',
      severity: 'error',
      from: { path: '^src/people/' },
      to: { path: `^src/(${FEATURES})/`, pathNot: ['^src/people/', VOCABULARY] },
    },
    {
      name: 'nothing-depends-on-a-channel',
      comment:
        'Channels (intake for email; telegram, webform to come) call the inquiries and people ' +
        'modules; nothing calls them. Exceptions: the application root and CLI that assemble ' +
        'them, and the readiness probe, which reports each mailbox folder.',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot: [
          '^src/intake/',
          '^src/(app\\.module|main|server)\\.ts$',
          '^src/cli/',
          '^src/database/entities\\.ts$',
          '^src/health/',
        ],
      },
      to: { path: '^src/intake/' },
    },
    {
      name: 'reports-read-only',
      comment: 'Reports read across the tables (SQL); they call no other module’s code.',
      severity: 'error',
      from: { path: '^src/reports/' },
      to: { path: `^src/(${FEATURES})/`, pathNot: ['^src/reports/', VOCABULARY] },
    },
    {
      name: 'disclosure-depends-on-no-feature',
      comment:
        'The gate gets its facts through FamilyFactsRegistry, which the modules that own them ' +
        'fill; it writes the outbox (mail). Nothing else.',
      severity: 'error',
      from: { path: '^src/disclosure/' },
      to: { path: `^src/(${FEATURES})/`, pathNot: ['^src/(disclosure|mail)/', VOCABULARY] },
    },
    {
      name: 'mail-renders-from-the-payload',
      comment:
        'The sender renders what the gate handed it and reaches into no case module. ' +
        'Exception: status (a status link is minted when a letter goes) — to move to the gate.',
      severity: 'error',
      from: { path: '^src/mail/' },
      to: {
        path: '^src/(inquiries|people|contacts|registry|identity|travel|handover|intake|reports|privacy)/',
        pathNot: VOCABULARY,
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
