import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DisclosureGate } from '../src/disclosure/disclosure.gate.js';
import { MailSender } from '../src/mail/mail-sender.js';
import { inquiryBody } from './support/inquiries.js';
import { SmtpSink, type Received } from './support/smtp-sink.js';
import { signedInStaff, type SignedIn } from './support/staff.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { unzip } from './support/zip.js';

// Indistinguishability (issue 18, item 2): random histories of a case — calls, callbacks,
// edits, holds, reopening, matches proposed and rejected, verifications, consent given, refused
// and withdrawn, travel and handover attempted while blocked, closing in every way — each run in
// two worlds: one where the sought man is in the registry, one where he is not. Until the family
// is verified and he agreed to be disclosed to them (in the first world; never in the second),
// everything the family receives — each letter's subject, text and HTML, or for a family who hear
// by phone the words of each call staff are asked to make, the status page after every step, the subject.json of a copy of their data — must be the same in both worlds, once
// references, links, dates and ids are taken out. A refusal reads exactly like "no information".
//
// Histories: DISCLOSURE_HISTORIES (default 40; the closing note of issue 18 says how many were
// run before it landed). Counterexamples found on the way are kept below as fixed cases.
const HISTORIES = Number(process.env.DISCLOSURE_HISTORIES ?? 40);
const SEED = process.env.DISCLOSURE_SEED ? Number(process.env.DISCLOSURE_SEED) : undefined;

type Step =
  | { kind: 'call' }
  | { kind: 'callback' }
  | { kind: 'edit' }
  | { kind: 'letter' }
  | { kind: 'transition'; to: FamilyFacing }
  | { kind: 'attempt'; to: RegistryFacing }
  | { kind: 'close_no_information' }
  | { kind: 'propose_match' }
  | { kind: 'countersign_match' }
  | { kind: 'reject_match' }
  | { kind: 'verify'; outcome: 'verified' | 'failed' }
  | { kind: 'consent'; consent: 'disclosure' | 'handover'; decision: Decision }
  | { kind: 'travel_plan' }
  | { kind: 'appointment' };

// Steps whose purpose is to tell the family something, or that change what the status page
// shows: taken in both worlds only when both allow them (the staff do the same family-facing
// things in both); the others are tried in both, and may fail in the world without him.
type FamilyFacing =
  | 'gathering_information'
  | 'verifying'
  | 'closed_not_found'
  | 'closed_withdrawn'
  | 'closed_rejected'
  | 'closed_duplicate'
  | 'on_hold'
  | 'previous'
  | 'reopen';
// (Closing as declined tells the family something: it is the "no information" closing below,
// which each world takes its own way.)
type RegistryFacing =
  'detention_confirmed' | 'travel_planning' | 'in_transit' | 'handover_scheduled' | 'handed_over';
type Decision = 'given' | 'refused' | 'withdrawn';
// How the family hears from us: letters, or calls staff make with the notice's words.
type Channel = 'email' | 'phone';

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'call' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'callback' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'edit' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'letter' as const }) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('transition' as const),
      to: fc.constantFrom<FamilyFacing>(
        'gathering_information',
        'verifying',
        'verifying',
        'closed_not_found',
        'closed_withdrawn',
        'closed_rejected',
        'closed_duplicate',
        'on_hold',
        'previous',
        'reopen',
      ),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('attempt' as const),
      to: fc.constantFrom<RegistryFacing>(
        'detention_confirmed',
        'detention_confirmed',
        'travel_planning',
        'in_transit',
        'handover_scheduled',
        'handed_over',
      ),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'close_no_information' as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'propose_match' as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'countersign_match' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reject_match' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('verify' as const),
      outcome: fc.constantFrom<'verified' | 'failed'>('verified', 'verified', 'failed'),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('consent' as const),
      consent: fc.constantFrom<'disclosure' | 'handover'>('disclosure', 'handover'),
      decision: fc.constantFrom<Decision>('given', 'refused', 'refused', 'withdrawn'),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'travel_plan' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'appointment' as const }) },
);

// A case's usual road, which random steps alone would rarely walk far enough down to matter:
// each history follows a random length of it, leaving out a step now and then and choosing each
// decision at random, with random steps (any of the above) put in anywhere.
// Each with how likely (in ten) a history that comes this far takes it.
const ROAD: [fc.Arbitrary<Step>, number][] = [
  [fc.constant({ kind: 'transition', to: 'gathering_information' }), 9],
  [fc.constant({ kind: 'transition', to: 'verifying' }), 9],
  [fc.constant({ kind: 'propose_match' }), 8],
  [fc.constant({ kind: 'countersign_match' }), 8],
  [
    fc.record({
      kind: fc.constant('verify' as const),
      outcome: fc.constantFrom<'verified' | 'failed'>('verified', 'verified', 'failed'),
    }),
    8,
  ],
  [
    fc.record({
      kind: fc.constant('consent' as const),
      consent: fc.constant('handover' as const),
      decision: fc.constantFrom<Decision>('given', 'given', 'refused'),
    }),
    6,
  ],
  [fc.constant({ kind: 'attempt', to: 'detention_confirmed' }), 8],
  [
    fc.record({
      kind: fc.constant('consent' as const),
      consent: fc.constant('disclosure' as const),
      decision: fc.constantFrom<Decision>('given', 'refused', 'refused', 'withdrawn'),
    }),
    7,
  ],
  [fc.constant({ kind: 'close_no_information' }), 4],
  [fc.constant({ kind: 'attempt', to: 'travel_planning' }), 8],
  [fc.constant({ kind: 'travel_plan' }), 8],
  [fc.constant({ kind: 'attempt', to: 'in_transit' }), 8],
  [fc.constant({ kind: 'appointment' }), 8],
  [fc.constant({ kind: 'attempt', to: 'handover_scheduled' }), 8],
];

const road = fc
  .tuple(
    fc.oneof(fc.integer({ min: 0, max: ROAD.length }), fc.constant(ROAD.length)),
    fc.tuple(
      ...ROAD.map(([s, keep]) => fc.tuple(fc.integer({ min: 0, max: 9 }), fc.constant(keep), s)),
    ),
  )
  .map(([length, steps]) =>
    steps
      .slice(0, length)
      .filter(([dice, keep]) => dice < keep)
      .map(([, , s]) => s),
  );

// The stretch of a history that the properties check: up to disclosure in the first world.
const history = fc
  .tuple(road, fc.array(fc.tuple(fc.nat(), step), { maxLength: 14 }))
  .map(([base, extra]) => {
    const steps = [...base];
    for (const [at, s] of extra) steps.splice(at % (steps.length + 1), 0, s);
    return steps;
  });

interface World {
  name: 'held' | 'absent';
  sut: TestApp;
  sink: SmtpSink;
  worker: SignedIn;
  checker: SignedIn;
  prisonerId: string | null;
  locationId: string;
}

interface Case {
  id: string;
  inquirerId: string;
  email: string;
  ip: string;
  token: string | null;
}

const FIXED_DAY = '2026-11-20';
const dayAhead = (n: number) => new Date(Date.UTC(2031, 0, 1 + n, 10, 0)).toISOString();

// What differs between any two cases, taken out.
function normalised(text: string): string {
  return text
    .replace(/HC-\d{4}-\d+/g, 'HC-…')
    .replace(/\/status\/[A-Za-z0-9_-]{43}/g, '/status/…')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/g, '<time>')
    .replace(/family-[0-9a-f]+@mail\.test/g, '<family>')
    .replace(/<[^<>@\s]+@homecoming\.test>/g, '<message-id>');
}

// Counterexamples the property found while the gate was built (shrunk), kept as fixed cases.
const FOUND: [Step[]][] = [
  // Detention confirmed without his consent: the old code sent "we found a matching record".
  [
    [
      { kind: 'transition', to: 'gathering_information' },
      { kind: 'transition', to: 'verifying' },
      { kind: 'propose_match' },
      { kind: 'countersign_match' },
      { kind: 'verify', outcome: 'verified' },
      { kind: 'attempt', to: 'detention_confirmed' },
    ],
  ],
  // He refused: the closing must read as "no information", the same as not found.
  [
    [
      { kind: 'transition', to: 'gathering_information' },
      { kind: 'transition', to: 'verifying' },
      { kind: 'propose_match' },
      { kind: 'countersign_match' },
      { kind: 'consent', consent: 'disclosure', decision: 'refused' },
      { kind: 'close_no_information' },
    ],
  ],
  // A verification compared the family's answer with his record: the copy of their data carried
  // "agreesWithRegistry" (true where he is held, null where he is not).
  [
    [
      { kind: 'transition', to: 'gathering_information' },
      { kind: 'transition', to: 'verifying' },
      { kind: 'propose_match' },
      { kind: 'countersign_match' },
      { kind: 'verify', outcome: 'verified' },
    ],
  ],
];

describe('before disclosure, a family cannot tell whether he is held (property-based)', () => {
  const worlds: World[] = [];
  let ran = 0;
  let stepsCompared = 0;
  // How far the histories went where he is held: statuses reached before disclosure, and how
  // many reached disclosure (where the comparison ends).
  const reached = new Map<string, number>();
  let disclosures = 0;

  const sql = <T>(w: World, text: string, params: unknown[] = []) =>
    w.sut.app.get(DataSource).query(text, params) as Promise<T[]>;
  const post = (who: SignedIn, path: string, body: object = {}) =>
    who.agent.post(path).set('X-CSRF-Token', who.csrf).send(body);
  const versionOf = async (w: World, c: Case) =>
    (await sql<{ version: number }>(w, `SELECT version FROM inquiry WHERE id = $1`, [c.id]))[0]
      .version;
  const allowed = async (w: World, c: Case): Promise<Map<string, boolean>> => {
    const res = await w.worker.agent.get(`/api/inquiries/${c.id}/transitions`);
    return new Map(
      (res.body as { to: string; allowed: boolean; transition: string }[]).flatMap((o) => [
        [o.to, o.allowed],
        [o.transition, o.allowed],
      ]),
    );
  };
  const fire = async (w: World, c: Case, to: string) =>
    post(w.worker, `/api/inquiries/${c.id}/transitions`, {
      to,
      version: await versionOf(w, c),
      reason: 'Причина для коллег',
    });

  async function openWorld(name: World['name']): Promise<World> {
    const sink = new SmtpSink();
    const port = await sink.start();
    const sut = await createTestApp({
      env: {
        TOTP_REQUIRED_ROLES: 'none',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(port),
        SMTP_TLS: 'none',
        MAIL_FROM: 'homecoming <cases@homecoming.test>',
        PUBLIC_BASE_URL: 'https://homecoming.test',
        // Each history's family comes from an address of its own (X-Forwarded-For), so the
        // status page's per-address limit does not stop the walk.
        TRUST_PROXY: 'loopback',
      },
    });
    const worker = await signedInStaff(sut, {
      roles: ['caseworker', 'supervisor'],
      displayName: 'Олена Коваль',
    });
    const checker = await signedInStaff(sut, { roles: ['supervisor'], displayName: 'Тарас' });
    const admin = await signedInStaff(sut, { roles: ['admin'] });
    const location = await post(admin, '/api/handover/locations', {
      nameUk: 'Координаційний центр',
      nameRu: 'Координационный центр',
      nameEn: 'Coordination centre',
      address: 'Київ, вул. Прикладна, 1',
      instructionsUk: 'Вхід з двору.',
      instructionsRu: 'Вход со двора.',
      instructionsEn: 'Entrance from the courtyard.',
    });
    expect(location.status).toBe(201);
    // Where he is held, the registry knows his father's name too: a family's answer is compared
    // with it (and that must show nowhere the family looks).
    let prisonerId: string | null = null;
    if (name === 'held') {
      const imported = await checker.agent
        .post('/api/registry/imports')
        .set('X-CSRF-Token', checker.csrf)
        .set('Content-Type', 'text/csv')
        .send(
          Buffer.from(
            'personal_number,surname,given_names,patronymic,birth_date,fathers_first_name,military_unit\n' +
              'AB-7000001,Петров,Алексей,Сергеевич,2001-03-14,Сергей,в/ч 12345\n',
          ),
        );
      expect(imported.status).toBe(200);
      const found = await checker.agent.get('/api/registry/prisoners').query({ q: 'AB-7000001' });
      prisonerId = (found.body.items as { id: string }[])[0].id;
    }
    return { name, sut, sink, worker, checker, prisonerId, locationId: location.body.id };
  }

  beforeAll(async () => {
    worlds.push(await openWorld('held'), await openWorld('absent'));
  }, 60_000);

  afterAll(async () => {
    for (const w of worlds) {
      await w.sut.close();
      await w.sink.stop();
    }
    // eslint-disable-next-line no-console
    console.log(
      `disclosure property: ${ran} histories, ${stepsCompared} steps compared in both worlds; ` +
        `${disclosures} reached disclosure; statuses reached before it where he is held: ` +
        [...reached.entries()]
          .sort()
          .map(([status, n]) => `${status} ${n}`)
          .join(', '),
    );
  });

  async function drain(w: World) {
    while ((await w.sut.app.get(MailSender).drainOnce()) > 0);
  }

  // Each history's family is a person of their own (one person is one record: the same name and
  // phone would make every history's case hers, and her export would hold them all); the same
  // in both worlds, from the address.
  async function open(w: World, email: string, ip: string, channel: Channel): Promise<Case> {
    const digits = parseInt(createHash('sha256').update(email).digest('hex').slice(0, 8), 16) % 1e7;
    const res = await post(
      w.worker,
      '/api/inquiries',
      inquiryBody({
        inquirer: {
          fullName: 'Петрова Ольга Ивановна',
          relationship: 'mother',
          phones: [`+7916${String(digits).padStart(7, '0')}`],
          emails: [email],
          preferredLanguage: 'ru',
          preferredChannel: channel,
        },
      }),
    );
    expect(res.status).toBe(201);
    return { id: res.body.inquiry.id, inquirerId: res.body.inquirer.id, email, ip, token: null };
  }

  // What the family of the case has received by now, in order; letters that arrive in one step
  // together are sorted (the family gets them at the same moment).
  function lettersOf(w: World, c: Case, since: number): string[] {
    return w.sink.received
      .slice(since)
      .filter((m: Received) => m.to.includes(c.email))
      .map((m) =>
        normalised(
          [m.parsed.subject ?? '', m.parsed.text ?? '', String(m.parsed.html ?? '')].join(
            '\n---\n',
          ),
        ),
      )
      .sort();
  }

  // What the family of the case has been told by phone by now: the calls the service asked staff
  // to make (each notice's words), those of one step sorted as letters are.
  async function callsOf(w: World, c: Case): Promise<string[]> {
    const rows = await sql<{ notes: string }>(
      w,
      `SELECT notes FROM callback WHERE inquiry_id = $1 AND created_by IS NULL`,
      [c.id],
    );
    return rows.map((r) => normalised(r.notes)).sort();
  }

  async function statusPage(w: World, c: Case): Promise<string> {
    if (!c.token) return '(no link)';
    const res = await w.worker.agent.get(`/status/${c.token}`).set('X-Forwarded-For', c.ip);
    return `${res.status}\n${normalised(res.text)}`;
  }

  async function exported(w: World, c: Case): Promise<string> {
    const res = await w.checker.agent
      .get(`/api/inquirers/${c.inquirerId}/export`)
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (chunk: Buffer) => chunks.push(chunk));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    const subject = JSON.parse(
      (await unzip(res.body as Buffer)).get('subject.json')!.toString('utf8'),
    ) as Record<string, unknown>;
    return normalised(JSON.stringify(subject, null, 1));
  }

  async function disclosed(w: World, c: Case): Promise<boolean> {
    return w.sut.app
      .get(DataSource)
      .transaction((m) => w.sut.app.get(DisclosureGate).isDisclosed(m, c.id));
  }

  // One step in one world. Family-facing ones were checked to be possible in both worlds first.
  async function run(w: World, c: Case, s: Step, at: number): Promise<void> {
    const { worker, checker } = w;
    switch (s.kind) {
      case 'call':
        await post(worker, `/api/inquiries/${c.id}/calls`, {
          direction: at % 2 ? 'inbound' : 'outbound',
          occurredAt: dayAhead(-3000 + at),
          durationSeconds: 60 + at,
          outcome: 'answered',
          notes: `Разговор ${at}`,
        });
        return;
      case 'callback':
        await post(worker, `/api/inquiries/${c.id}/callbacks`, {
          dueAt: dayAhead(at),
          windowMinutes: 60,
        });
        return;
      case 'edit': {
        await worker.agent
          .patch(`/api/inquiries/${c.id}`)
          .set('X-CSRF-Token', worker.csrf)
          .send({ version: await versionOf(w, c), soughtPerson: { militaryUnit: `в/ч ${at}` } });
        return;
      }
      case 'letter':
        await post(worker, `/api/inquiries/${c.id}/emails`, {
          subject: `Вопрос ${at}`,
          body: 'Пожалуйста, пришлите фотографию.',
        });
        return;
      case 'transition': {
        if (s.to === 'previous') {
          const res = await worker.agent.get(`/api/inquiries/${c.id}/transitions`);
          const resume = (res.body as { to: string; transition: string }[]).find(
            (o) => o.transition === 'resume',
          );
          if (resume) await fire(w, c, resume.to);
          return;
        }
        await fire(w, c, s.to === 'reopen' ? 'gathering_information' : s.to);
        return;
      }
      case 'attempt':
        await fire(w, c, s.to);
        return;
      case 'close_no_information': {
        const options = await allowed(w, c);
        const to = options.get('closed_declined_by_prisoner')
          ? 'closed_declined_by_prisoner'
          : 'closed_not_found';
        await fire(w, c, to);
        return;
      }
      case 'propose_match': {
        const candidates = await worker.agent.get(`/api/inquiries/${c.id}/match-candidates`);
        const first = (candidates.body as { prisoner: { id: string } }[])[0];
        if (first)
          await post(worker, `/api/inquiries/${c.id}/matches`, { prisonerId: first.prisoner.id });
        return;
      }
      case 'countersign_match': {
        const matches = await worker.agent.get(`/api/inquiries/${c.id}/matches`);
        const proposed = (matches.body as { id: string; state: string; prisonerId: string }[]).find(
          (m) => m.state === 'proposed',
        );
        if (proposed) {
          await post(checker, `/api/matches/${proposed.id}/countersign`, {
            prisonerId: proposed.prisonerId,
          });
        }
        return;
      }
      case 'reject_match': {
        const matches = await worker.agent.get(`/api/inquiries/${c.id}/matches`);
        const live = (matches.body as { id: string; state: string }[]).find(
          (m) => m.state !== 'rejected',
        );
        if (live) await post(worker, `/api/matches/${live.id}/reject`, { reason: 'Не тот' });
        return;
      }
      case 'verify': {
        const recorded = await post(worker, `/api/inquiries/${c.id}/verifications`, {
          documents: [{ kind: 'passport', number: '4510 123456' }],
          relationshipEvidence: 'свидетельство о рождении сына',
          answers: [{ question: 'fathers_first_name', answer: 'Сергей' }],
          method: 'video_call',
          outcome: s.outcome,
        });
        expect(recorded.status).toBe(201);
        await post(checker, `/api/verifications/${recorded.body.id}/countersign`, {
          outcome: s.outcome,
        });
        return;
      }
      case 'consent':
        await post(worker, `/api/inquiries/${c.id}/consents`, {
          kind: s.consent,
          decision: s.decision,
          interviewedOn: FIXED_DAY,
          interviewedBy: worker.user.id,
        });
        return;
      case 'travel_plan': {
        const current = await worker.agent.get(`/api/inquiries/${c.id}/travel-plan`);
        await worker.agent
          .put(`/api/inquiries/${c.id}/travel-plan`)
          .set('X-CSRF-Token', worker.csrf)
          .send({
            version: current.status === 200 ? current.body.version : 0,
            originCity: 'Тамбов',
            originCountry: 'RU',
            plannedEntryIntoPoland: dayAhead(10).slice(0, 10),
            crossingPointId: 'medyka-shehyni',
            plannedCrossingAt: dayAhead(11),
            escortName: 'Остап Гнатюк',
            escortPhone: '+380 67 000 00 01',
            travellers: [
              {
                isInquirer: true,
                fullName: 'Петрова Ольга Ивановна',
                documentKind: 'passport',
                documentNumber: '75 1234567',
              },
            ],
          });
        return;
      }
      case 'appointment':
        await post(worker, `/api/inquiries/${c.id}/handover-appointments`, {
          locationId: w.locationId,
          scheduledAt: dayAhead(20),
          officials: ['Капітан Іваненко'],
        });
        return;
    }
  }

  // Whether a family-facing step is taken: only when both worlds allow it.
  async function possibleInBoth(cases: Case[], s: Step): Promise<boolean> {
    if (s.kind !== 'transition' && s.kind !== 'close_no_information') return true;
    const options = await Promise.all(worlds.map((w, i) => allowed(w, cases[i])));
    if (s.kind === 'close_no_information') {
      return options.every(
        (o) => o.get('closed_not_found') || o.get('closed_declined_by_prisoner'),
      );
    }
    const key = s.to === 'reopen' ? 'reopen' : s.to === 'previous' ? 'resume' : s.to;
    return options.every((o) => o.get(key) === true);
  }

  async function walk(steps: Step[], channel: Channel): Promise<void> {
    ran += 1;
    const email = `family-${randomBytes(5).toString('hex')}@mail.test`;
    const ip = `10.${ran % 250}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
    const marks = worlds.map((w) => w.sink.received.length);
    const cases: Case[] = [];
    for (const w of worlds) cases.push(await open(w, email, ip, channel));
    await Promise.all(worlds.map((w) => drain(w)));
    // The acknowledgement reached the family in both worlds: a letter with the status link, or
    // (by phone) a call to make, which carries no link.
    for (const [i, w] of worlds.entries()) {
      const ack = w.sink.received.slice(marks[i]).find((m) => m.to.includes(email));
      if (channel === 'phone') {
        expect([ack, (await callsOf(w, cases[i])).length]).toEqual([undefined, 1]);
      } else {
        cases[i].token = /\/status\/([A-Za-z0-9_-]{43})/.exec(ack?.parsed.text ?? '')?.[1] ?? null;
        expect(cases[i].token).not.toBeNull();
      }
    }
    const compare = async (label: string) => {
      const [a, b] = await Promise.all(
        worlds.map(async (w, i) => ({
          letters: lettersOf(w, cases[i], marks[i]),
          calls: await callsOf(w, cases[i]),
          page: await statusPage(w, cases[i]),
          export: await exported(w, cases[i]),
        })),
      );
      expect([label, a.letters]).toEqual([label, b.letters]);
      expect([label, a.calls]).toEqual([label, b.calls]);
      expect([label, a.page]).toEqual([label, b.page]);
      expect([label, a.export]).toEqual([label, b.export]);
    };
    await compare('opened');
    const seen = new Set<string>();
    try {
      await follow(steps, cases, compare, seen);
    } finally {
      for (const status of seen) reached.set(status, (reached.get(status) ?? 0) + 1);
    }
  }

  async function follow(
    steps: Step[],
    cases: Case[],
    compare: (label: string) => Promise<void>,
    seen: Set<string>,
  ): Promise<void> {
    for (const [at, s] of steps.entries()) {
      if (!(await possibleInBoth(cases, s))) continue;
      for (const [i, w] of worlds.entries()) await run(w, cases[i], s, at);
      await Promise.all(worlds.map((w) => drain(w)));
      // The absent man is never disclosed; once the held one is, the family may know.
      expect(await disclosed(worlds[1], cases[1])).toBe(false);
      if (await disclosed(worlds[0], cases[0])) {
        disclosures += 1;
        return;
      }
      const [{ status }] = await sql<{ status: string }>(
        worlds[0],
        `SELECT status FROM inquiry WHERE id = $1`,
        [cases[0].id],
      );
      seen.add(status);
      await compare(`after step ${at}: ${JSON.stringify(s)}`);
      stepsCompared += 1;
    }
  }

  it(
    `holds over ${HISTORIES} random histories, and for the cases found on the way`,
    async () => {
      await fc.assert(
        fc.asyncProperty(history, fc.constantFrom<Channel>('email', 'phone'), (steps, channel) =>
          walk(steps, channel),
        ),
        {
          numRuns: HISTORIES,
          seed: SEED,
          endOnFailure: true,
          examples: FOUND.flatMap(([steps]) => [
            [steps, 'email'] as [Step[], Channel],
            [steps, 'phone'] as [Step[], Channel],
          ]),
        },
      );
    },
    30 * 60_000,
  );
});
