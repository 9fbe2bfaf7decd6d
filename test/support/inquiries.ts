import type { TestAgent } from './staff.js';

export function inquiryBody(overrides: Record<string, unknown> = {}) {
  return {
    channel: 'phone',
    inquirer: {
      fullName: 'Петрова Ольга Ивановна',
      relationship: 'mother',
      phones: ['+7 916 123-45-67'],
      emails: ['Olga.Petrova@Mail.RU'],
      preferredLanguage: 'ru',
      country: 'RU',
      city: 'Тамбов',
    },
    soughtPerson: {
      surname: 'Петров',
      givenName: 'Алексей',
      patronymic: 'Сергеевич',
      birthYear: 2001,
      birthMonth: 3,
      birthDay: 14,
      militaryUnit: 'в/ч 12345',
    },
    ...overrides,
  };
}

export async function createInquiry(
  who: { agent: TestAgent; csrf: string },
  overrides: Record<string, unknown> = {},
): Promise<{ id: string; reference: string; version: number }> {
  const res = await who.agent
    .post('/api/inquiries')
    .set('X-CSRF-Token', who.csrf)
    .send(inquiryBody(overrides));
  if (res.status !== 201)
    throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  const { id, reference, version } = res.body.inquiry as {
    id: string;
    reference: string;
    version: number;
  };
  return { id, reference, version };
}
